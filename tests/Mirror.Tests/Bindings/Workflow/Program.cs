// Pulp's sync workflow through a client generated from the gateway's OpenAPI document (see GeneratedBindingsTests):
// create a repository and a remote, sync, wait for the task, read the new version's content_summary.
// Arguments: base URL, username, password, upstream URL, upstream repository name. Prints the version's href, then one
// line per content type of its content_summary: "present container.blob 16".
using System.Net.Http.Headers;
using System.Text;
using PulpBindings;

var (baseUrl, username, password, upstream, upstreamName) = (args[0], args[1], args[2], args[3], args[4]);
using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
var pulp = new PulpApiClient(http) { BaseUrl = baseUrl };
var name = "bindings-" + Guid.NewGuid().ToString("N")[..8];

var repository = await pulp.Repositories_container_container_createAsync(new() { Name = name });
var remote = await pulp.Remotes_container_container_createAsync(new() { Name = name, Url = upstream, Upstream_name = upstreamName });
var sync = await pulp.Repositories_container_container_syncAsync(repository.Pulp_href.ToString(), new() { Remote = remote.Pulp_href.ToString() });

var task = await pulp.Tasks_readAsync(sync.Task.ToString(), null, null);
for (var deadline = DateTime.UtcNow.AddMinutes(10); task.State is TaskResponseState.Waiting or TaskResponseState.Running; )
{
    if (DateTime.UtcNow > deadline) throw new TimeoutException($"task {task.Pulp_href} is still {task.State}");
    await Task.Delay(250);
    task = await pulp.Tasks_readAsync(sync.Task.ToString(), null, null);
}
if (task.State != TaskResponseState.Completed) throw new InvalidOperationException($"the sync ended {task.State}: {task.Error}");

var version = await pulp.Repositories_container_container_versions_readAsync(task.Created_resources.Single().ToString(), null, null);
Console.WriteLine(version.Pulp_href);
foreach (var (type, count) in version.Content_summary.Present) Console.WriteLine($"present {type} {count.Count}");
