using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>The one-command start as a user runs it: up, use, status, down, up again.</summary>
public sealed class MirrorScriptTests
{
    [Fact]
    public async Task Up_down_up_keeps_what_was_created_and_down_stops_everything_it_started()
    {
        var data = Path.Combine(TestEnvironment.WorkFolder, "script-" + Guid.NewGuid().ToString("N")[..8]);
        var port = Ports.Free();
        var environment = new Dictionary<string, string>
        {
            ["MIRROR_DATA"] = data,
            ["MIRROR_PORT"] = port.ToString(),
            ["MIRROR_PG_PORT"] = Ports.Free().ToString(),
            ["MIRROR_SILO_PORT_BASE"] = Ports.FreeBlock(2).ToString(),
            ["MIRROR_GATEWAY_PORT_BASE"] = Ports.FreeBlock(2).ToString(),
            ["MIRROR_SILO_HTTP_PORT_BASE"] = Ports.FreeBlock(2).ToString(),
            ["MIRROR_SILOS"] = "2",
            ["MIRROR_NO_BUILD"] = "1",
        };
        try
        {
            var up = await Run(environment, "up");
            Assert.True(up.Code == 0, up.Output);
            Assert.Contains($"http://127.0.0.1:{port}/pulp/api/v3/", up.Output);
            Assert.Contains("admin / password", up.Output);

            using var client = new PulpClient(new Uri($"http://127.0.0.1:{port}"), "admin", "password");
            var href = (await client.PostAsync("/pulp/api/v3/repositories/container/container/", new { name = "foo" }))
                .Expect<CreatedView>(HttpStatusCode.Created).PulpHref;

            var status = await Run(environment, "status");
            Assert.Matches(@"gateway\s+\d+\s+\d+\s+ok", status.Output);
            Assert.Matches(@"silo1\s+\d+\s+\d+(,\d+)+\s+active", status.Output);
            Assert.Matches(@"silo2\s+\d+\s+\d+(,\d+)+\s+active", status.Output);
            // The health column: what each process's /healthz and /readyz answer. A silo just started may take a few seconds
            // to pass its readiness checks (membership, a blob store probe write), so ask again until it does.
            static bool AllReady(string output) => new[] { "gateway", "silo1", "silo2" }.All(name => Regex.IsMatch(output, $@"(?m)^{name}\s.*\slive, ready$"));
            for (var tries = 0; !AllReady(status.Output) && tries < 30; tries++)
            {
                await Task.Delay(2000);
                status = await Run(environment, "status");
            }
            Assert.True(AllReady(status.Output), status.Output);

            var pids = Directory.GetFiles(Path.Combine(data, "run"), "*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim())).ToList();
            Assert.Equal(3, pids.Count);
            Assert.Equal(0, (await Run(environment, "down")).Code);
            Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} still runs after down"));
            Assert.Empty(Directory.GetFiles(Path.Combine(data, "run"), "*.pid"));

            Assert.Equal(0, (await Run(environment, "up")).Code);
            Assert.Equal("foo", (await client.GetAsync(href)).Ok<RepositoryView>().Name);
            Assert.Equal(0, (await Run(environment, "up")).Code); // idempotent: nothing new starts
            Assert.Equal(3, Directory.GetFiles(Path.Combine(data, "run"), "*.pid").Length);

            // Logs are appended across starts, every entry stamped with UTC time, and requests are not logged at the default level.
            var log = await File.ReadAllTextAsync(Path.Combine(data, "log", "gateway.log"));
            Assert.Equal(2, Regex.Count(log, "Application started"));
            var entries = log.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(' ')).ToList();
            Assert.NotEmpty(entries);
            Assert.All(entries, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|fail|crit): ", e));
            Assert.DoesNotContain("Request starting", log);
            Assert.DoesNotContain("/pulp/api/v3/status/", log);
        }
        finally
        {
            await Run(environment, "down");
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !Process.GetProcessById(pid).HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<(int Code, string Output)> Run(IReadOnlyDictionary<string, string> environment, string command)
    {
        var start = new ProcessStartInfo(Path.Combine(TestEnvironment.Root, "mirror"), [command])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
