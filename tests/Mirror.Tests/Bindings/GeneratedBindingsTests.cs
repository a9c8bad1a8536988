using Mirror.Tests.Infrastructure;
using Mirror.Tests.Sync;

namespace Mirror.Tests.Bindings;

/// <summary>
/// What a user of generated bindings does: generate a C# client from the gateway's own <c>docs/api.json</c> with NSwag (the
/// version pinned in <c>.config/dotnet-tools.json</c>), build it, and run Pulp's sync workflow through it
/// (<c>Workflow/Program.cs</c>) against the running deployment. The generator is configured as Pulp configures its own
/// bindings: href path parameters keep their slashes (<c>Templates/Client.Class.PathParameter.liquid</c>).
/// </summary>
[Collection(SyncCollection.Name)]
public sealed class GeneratedBindingsTests(SyncFixture fixture)
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task A_client_generated_from_the_document_runs_the_sync_workflow()
    {
        var work = Path.Combine(TestEnvironment.WorkFolder, $"bindings-{Guid.NewGuid():N}");
        var assets = Path.Combine(AppContext.BaseDirectory, "Bindings");
        Directory.CreateDirectory(work);
        foreach (var file in Directory.GetFiles(Path.Combine(assets, "Workflow"))) File.Copy(file, Path.Combine(work, Path.GetFileName(file)));
        var document = Path.Combine(work, "api.json");
        await File.WriteAllTextAsync(document, (await fixture.Client.GetAnonymousAsync("/pulp/api/v3/docs/api.json"))!.ToJsonString());

        // The tool manifest is found from the checkout; the client is built outside it, with nothing of the project's.
        (await CommandLine.RunAsync("dotnet", ["tool", "run", "nswag", "openapi2csclient", $"/input:{document}", $"/output:{Path.Combine(work, "PulpClient.cs")}",
            "/namespace:PulpBindings", "/className:PulpApiClient", "/operationGenerationMode:SingleClientFromOperationId", "/generateClientInterfaces:false",
            $"/templateDirectory:{Path.Combine(assets, "Templates")}"], workingDirectory: TestEnvironment.Root, timeout: Step)).Ok();
        (await CommandLine.RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "quiet", "-clp:ErrorsOnly", "-o", Path.Combine(work, "out")],
            workingDirectory: work, timeout: Step)).Ok();

        var output = (await CommandLine.RunAsync("dotnet", [Path.Combine(work, "out", "Workflow.dll"), $"http://127.0.0.1:{fixture.Cluster.GatewayPort}",
            MirrorCluster.Username, MirrorCluster.Password, fixture.Registry.BaseUrl.ToString(), SyncFixture.Repository], timeout: Step)).Ok();

        // What the bindings read is what the API says, and what the upstream holds.
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var version = await fixture.Client.GetAsync(lines[0]);
        Assert.Equal(System.Net.HttpStatusCode.OK, version.Status);
        var present = lines.Skip(1).Select(l => l.Split(' ')).ToDictionary(p => p[1], p => long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, long>
        {
            ["container.blob"] = fixture.Upstream.BlobCount,
            ["container.manifest"] = fixture.Upstream.ManifestCount,
            ["container.tag"] = fixture.Upstream.TagCount,
        }, present);
        Directory.Delete(work, recursive: true);
    }
}
