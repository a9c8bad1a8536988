using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mirror.Storage.Secrets;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Api;

/// <summary>
/// Bounded fuzzing of every operation the API describes: the routes come from its own OpenAPI document (built from the
/// route table), each request mixes real and made-up hrefs, hostile query values and bodies mutated from the operation's
/// schema. Whatever comes in, nothing answers 5xx, every answer is exactly <c>application/json</c> (the test kit's client
/// checks it), and a refused request leaves nothing behind: each one carries a marker name, and no grain state or catalog
/// row holds a refused request's marker afterwards. The registry's routes and <c>/token/</c> get the same treatment.
/// Seeded, so a failure is reproduced by running it again; bounded in requests and time so it stays in the suite.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ApiFuzzTests(ClusterFixture fixture)
{
    private const int Seed = 20261206;
    private const int MaxRequests = 1500;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(40);

    private PulpClient Client => fixture.Client;

    private static readonly string[] HostileText =
    [
        "", " ", "..", "../../etc/passwd", "a\u0000b", "\ud800", "%00", "é", "'; drop table x; --", "null", "true", "-1", "0",
        "99999999999999999999999", "1e309", "NaN", "[]", "{}", "a,b,,c", "sha256:" + new string('0', 64), "/pulp/api/v3/tasks/",
        "/pulp/api/v3/repositories/container/container/00000000-0000-0000-0000-000000000000/", new string('x', 5000),
    ];

    [Fact]
    public async Task Every_described_operation_survives_hostile_requests_with_no_5xx_and_nothing_left_by_a_refused_one()
    {
        var random = new Random(Seed);
        var document = (await Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json"))!.AsObject();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var seeds = await SeedObjects();
        var operations = (from path in document["paths"]!.AsObject()
                          from operation in path.Value!.AsObject()
                          select (Path: path.Key, Method: operation.Key.ToUpperInvariant(), Operation: operation.Value!.AsObject())).ToList();
        Assert.True(operations.Count > 40, $"only {operations.Count} operations described");

        var failures = new List<string>();
        var refused = new HashSet<string>();
        var sent = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (; sent < MaxRequests && clock.Elapsed < MaxTime; sent++)
        {
            var (template, method, operation) = operations[sent % operations.Count];
            var marker = $"fzmark{sent}";
            var path = Query(random, Path(random, template, seeds, method), operation);
            var body = operation["requestBody"] is { } requested ? Body(random, Schema(requested, schemas), schemas, marker) : null;
            try
            {
                var answer = await Client.SendAsync(new HttpMethod(method), path, body);
                if ((int)answer.Status >= 500) failures.Add($"{method} {path} {Excerpt(body)} → {(int)answer.Status} {Excerpt(answer.Body?.ToJsonString())}");
                else if ((int)answer.Status >= 400) refused.Add(marker);
            }
            catch (PulpException e)
            {
                // Every answer is exactly application/json but the document as YAML, which the document declares as application/yaml.
                if (!template.EndsWith(".yaml", StringComparison.Ordinal)) failures.Add($"{method} {path} {Excerpt(body)} → {e.Message}");
            }
        }
        failures.AddRange(await FuzzRegistry(random));

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests failed (seed {Seed}):\n" + string.Join("\n", failures.Distinct().Take(25)));
        var left = (await Markers()).Where(refused.Contains).ToList();
        Assert.True(left.Count == 0, $"refused requests left objects behind: {string.Join(", ", left.Take(15))}");
        Assert.True(sent >= operations.Count, $"only {sent} requests in {MaxTime}: not every operation was tried");
    }

    /// <summary>A repository, a remote, a distribution, a version and a task of this test's own, for the hrefs that must exist.</summary>
    private async Task<Dictionary<string, string>> SeedObjects()
    {
        var repository = await Client.CreateRepositoryAsync(Names.Unique("fuzz"));
        var remote = await Client.CreateRemoteAsync(Names.Unique("fuzz"), new Uri("http://127.0.0.1:9"), "fuzz");
        var created = await Client.RunTaskAsync(Client.PostAsync(PulpClient.Distributions,
            new { name = Names.Unique("fuzz"), base_path = Names.Unique("fuzz"), repository }));
        return new Dictionary<string, string>
        {
            ["repository_version"] = repository + "versions/0/",
            ["repository"] = repository,
            ["remote"] = remote,
            ["distribution"] = created.CreatedResources.Single(),
            ["task"] = created.PulpHref,
        };
    }

    /// <summary>
    /// Fills the href parameter of a path key (<c>{container_container_repository_href}sync/</c>): a real object of that
    /// kind, the same kind with an id nobody has, or something that is no href at all. Deletes only get made-up ones, so
    /// the seeds stay for the rest of the run.
    /// </summary>
    private static string Path(Random random, string template, Dictionary<string, string> seeds, string method)
    {
        var match = HrefParameter().Match(template);
        if (!match.Success) return template;
        var real = seeds.FirstOrDefault(s => match.Groups[1].Value.Contains(s.Key, StringComparison.Ordinal)).Value;
        var href = (random.Next(4), real) switch
        {
            (< 2, { } seed) when method != "DELETE" => seed,
            (< 3, { } seed) => UuidPattern().Replace(seed, Guid.NewGuid().ToString(), 1),
            _ => "/pulp/api/v3/" + Uri.EscapeDataString(Pick(random, HostileText)) + "/",
        };
        return template.Replace(match.Value, href, StringComparison.Ordinal);
    }

    /// <summary>Some of the operation's own query parameters, and now and then one it does not have, with hostile values.</summary>
    private static string Query(Random random, string path, JsonObject operation)
    {
        var names = (operation["parameters"] as JsonArray ?? []).Where(p => p?["in"]?.GetValue<string>() == "query")
            .Select(p => p!["name"]!.GetValue<string>()).ToList();
        if (random.Next(8) == 0) names.Add("no_such_filter");
        var chosen = names.Where(_ => random.Next(3) == 0).Select(n => $"{n}={Uri.EscapeDataString(Pick(random, HostileText))}").ToList();
        if (random.Next(10) == 0) chosen.Add("name=a%00b&name=%ED%A0%80"); // a NUL, and a lone surrogate as raw UTF-8
        return chosen.Count == 0 ? path : path + "?" + string.Join("&", chosen);
    }

    private static JsonObject Schema(JsonNode requestBody, JsonObject schemas) =>
        Resolve(requestBody["content"]?["application/json"]?["schema"], schemas) ?? [];

    private static JsonObject? Resolve(JsonNode? schema, JsonObject schemas) =>
        schema?["$ref"]?.GetValue<string>() is { } reference ? schemas[reference.Split('/')[^1]]?.AsObject() : schema?.AsObject();

    /// <summary>
    /// A body from the operation's schema: every field plausible (names carry the marker), then one to three fields made
    /// hostile (wrong type, null, huge, NUL, nested), or a required one dropped, an unknown one added, or no object at all.
    /// </summary>
    private static string Body(Random random, JsonObject schema, JsonObject schemas, string marker)
    {
        switch (random.Next(12))
        {
            case 0: return Pick(random, ["", "{", "[]", "1", "\"x\"", "null", "{\"a\":1,\"a\":2}", "{\"name\":\"\\ud800\"}", "{\"name\":\"a\\u0000\"}"]);
            case 1: return "{" + string.Concat(Enumerable.Repeat("\"a\":{", 40)) + string.Concat(Enumerable.Repeat("}", 40)) + "}";
        }
        var properties = schema["properties"] as JsonObject ?? [];
        var body = new JsonObject();
        foreach (var (name, property) in properties)
        {
            if (property?["readOnly"]?.GetValue<bool>() == true) continue;
            body[name] = Plausible(Resolve(property, schemas) ?? [], name, marker);
        }
        var writable = body.Select(p => p.Key).ToList();
        for (var i = random.Next(1, 4); i > 0 && writable.Count > 0; i--)
        {
            var field = Pick(random, writable);
            switch (random.Next(4))
            {
                case 0: body.Remove(field); break;
                case 1: body["unknown_" + field] = 1; break;
                default: body[field] = Hostile(random); break;
            }
        }
        return body.ToJsonString();
    }

    private static JsonNode? Plausible(JsonObject property, string name, string marker) => property["type"]?.GetValue<string>() switch
    {
        _ when name is "name" or "base_path" => marker,
        _ when property["enum"] is JsonArray { Count: > 0 } choices => choices[0]?.DeepClone(),
        "integer" or "number" => 1,
        "boolean" => false,
        "array" => new JsonArray(),
        "object" => new JsonObject(),
        _ when property["format"]?.GetValue<string>() == "uri" => "http://127.0.0.1:9",
        _ => marker,
    };

    private static JsonNode? Hostile(Random random) => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(long.MaxValue),
        3 => JsonValue.Create(1e300),
        4 => new JsonArray(JsonValue.Create(Pick(random, HostileText)), 1, null, new JsonObject()),
        5 => new JsonObject { ["nested"] = new JsonArray(new JsonArray(new JsonArray())) },
        6 => JsonValue.Create(true),
        _ => JsonValue.Create(Pick(random, HostileText)),
    };

    /// <summary>The registry and its token endpoint, anonymous and as the admin, with hostile names, references and queries.</summary>
    private async Task<List<string>> FuzzRegistry(Random random)
    {
        var failures = new List<string>();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Cluster.GatewayPort}") };
        string[] names = ["library/x", "a", "A", "a//b", "..%2f..", "%00", "%C3%A9", new string('a', 300), "_catalog"];
        string[] references = ["latest", "sha256:" + new string('0', 64), "sha256:xyz", "..", "%00", new string('t', 200), "a:b"];
        string[] queries = ["", "?n=-1", "?n=99999999999", "?n=abc", "?last=%00", "?last=%ED%A0%80", "?n=1&last=zzz"];
        for (var i = 0; i < 150; i++)
        {
            var name = Pick(random, names);
            var path = random.Next(6) switch
            {
                0 => $"/v2/{name}/tags/list{Pick(random, queries)}",
                1 => $"/v2/{name}/blobs/{Pick(random, references)}",
                2 => $"/v2/_catalog{Pick(random, queries)}",
                3 => $"/token/?service=x&scope={Uri.EscapeDataString($"repository:{name}:{Pick(random, ["pull", "push", "*", ""])}")}&scope=%00",
                _ => $"/v2/{name}/manifests/{Pick(random, references)}",
            };
            using var request = new HttpRequestMessage(new HttpMethod(Pick(random, ["GET", "HEAD", "PUT", "DELETE", "PATCH"])), path);
            if (random.Next(2) == 0) request.Headers.Authorization = Client.Credentials;
            if (random.Next(3) == 0) request.Headers.TryAddWithoutValidation("Authorization", Pick(random, ["Bearer x.y.z", "Bearer ", "Basic %%%", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:\u0000"))]));
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode >= 500) failures.Add($"{request.Method} {path} → {(int)response.StatusCode}");
        }
        return failures;
    }

    /// <summary>Every fuzz marker in grain state (the truth, opened with the cluster's key) and in the catalog's names.</summary>
    private async Task<HashSet<string>> Markers()
    {
        var found = new HashSet<string>();
        var box = TestEnvironment.SecretBox;
        await using var command = fixture.Cluster.Database.DataSource.CreateCommand("""
            select payloadbinary from orleansstorage where payloadbinary is not null
            union all select convert_to(name, 'UTF8') from mirror_repositories union all select convert_to(name, 'UTF8') from mirror_remotes
            union all select convert_to(name || ' ' || base_path, 'UTF8') from mirror_distributions
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var bytes = (byte[])reader[0];
            var text = Encoding.UTF8.GetString(SecretBox.IsSealed(bytes) ? box.Open(bytes) : bytes);
            foreach (Match m in MarkerPattern().Matches(text)) found.Add(m.Value);
        }
        return found;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Excerpt(string? text) => text is null ? "" : text.Length > 200 ? text[..200] + "…" : text;

    [GeneratedRegex(@"\{([a-z_]+_href)\}")]
    private static partial Regex HrefParameter();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex UuidPattern();

    [GeneratedRegex(@"fzmark\d+")]
    private static partial Regex MarkerPattern();
}
