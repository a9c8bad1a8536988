using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage;
using Mirror.Storage.Blobs;
using Mirror.Storage.Content;
using Npgsql;
using Orleans.Runtime;

namespace Mirror.Gateway.Api.Status;

/// <summary>
/// <c>status/</c>, anonymous as in pulpcore: the versions we are compatible with, the online silos as
/// workers, whether the database answers, and the blob store's disk.
/// </summary>
public static class StatusEndpoint
{
    private static readonly ApiSchema StatusResponse = ApiSchema.Fixed("StatusResponse", Schema);

    public static void Map(IEndpointRouteBuilder api) => api.MapGet("status/", Get)
        .Describe("Status", new PulpOperation("status", "read", "Inspect status of Pulp") { Returns = StatusResponse, Anonymous = true, SelectsFields = false });

    private static JsonObject Schema()
    {
        var heartbeat = OpenApi.Schema.Object([("name", OpenApi.Schema.String()), ("last_heartbeat", OpenApi.Schema.DateTime())], ["name", "last_heartbeat"]);
        var worker = OpenApi.Schema.Object([("name", OpenApi.Schema.String()), ("address", OpenApi.Schema.String()), ("last_heartbeat", OpenApi.Schema.DateTime())], ["name", "last_heartbeat"]);
        var version = OpenApi.Schema.Object(
        [
            ("component", OpenApi.Schema.String()), ("version", OpenApi.Schema.String()), ("package", OpenApi.Schema.String()),
            ("module", OpenApi.Schema.String()), ("domain_compatible", OpenApi.Schema.Boolean()),
        ], ["component", "version", "package"]);
        var connected = OpenApi.Schema.Object([("connected", OpenApi.Schema.Boolean())], ["connected"]);
        return OpenApi.Schema.Object(
        [
            ("versions", OpenApi.Schema.Array(version)), ("online_workers", OpenApi.Schema.Array(worker)),
            ("online_api_apps", OpenApi.Schema.Array(heartbeat)), ("online_content_apps", OpenApi.Schema.Array(heartbeat.DeepClone().AsObject())),
            ("database_connection", connected), ("redis_connection", connected.DeepClone().AsObject()),
            ("storage", OpenApi.Schema.Object([("total", OpenApi.Schema.Integer()), ("used", OpenApi.Schema.Integer()), ("free", OpenApi.Schema.Integer())]).Nullable()),
            ("content_settings", OpenApi.Schema.Object([("content_origin", OpenApi.Schema.String()), ("content_path_prefix", OpenApi.Schema.String())])),
            ("domain_enabled", OpenApi.Schema.Boolean()),
        ], ["versions", "online_workers", "database_connection"]);
    }

    private static async Task<IResult> Get(IClusterClient cluster, NpgsqlDataSource db, BlobStoreSettings blobs, BlobHealth health, HttpRequest request)
    {
        var versions = new JsonArray(PulpVersions.All.Select(c => (JsonNode?)new JsonObject
        {
            ["component"] = c.Component, ["version"] = c.Version, ["package"] = c.Package, ["module"] = c.Module, ["domain_compatible"] = false,
        }).ToArray());

        return PulpJson.Result(new JsonObject
        {
            ["versions"] = versions,
            ["online_workers"] = await Workers(cluster),
            ["online_api_apps"] = new JsonArray(new JsonObject { ["name"] = $"gateway-{Environment.MachineName}-{Environment.ProcessId}", ["last_heartbeat"] = PulpJson.Timestamp(DateTime.UtcNow) }),
            ["online_content_apps"] = new JsonArray(),
            ["database_connection"] = new JsonObject { ["connected"] = await DatabaseAnswers(db) },
            ["damaged_blobs"] = await DamagedBlobs(health),
            ["redis_connection"] = new JsonObject { ["connected"] = false },
            ["storage"] = Storage(blobs),
            ["content_settings"] = new JsonObject { ["content_origin"] = $"{request.Scheme}://{request.Host}", ["content_path_prefix"] = "/pulp/content/" },
            ["domain_enabled"] = false,
        });
    }

    private static async Task<JsonArray> Workers(IClusterClient cluster)
    {
        try
        {
            var hosts = await cluster.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
            return new JsonArray(hosts.Select(h => (JsonNode?)new JsonObject
            {
                ["name"] = h.SiloName,
                ["address"] = h.SiloAddress.ToString(),
                ["last_heartbeat"] = PulpJson.Timestamp(h.IAmAliveTime),
            }).ToArray());
        }
        // The membership table lives in the database: while it is away no worker can be listed.
        catch (Exception e) when (TransientFaults.IsTransient(e))
        {
            return [];
        }
    }

    private static async Task<bool> DatabaseAnswers(NpgsqlDataSource db)
    {
        try
        {
            await using var command = db.CreateCommand("select 1");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            return await command.ExecuteScalarAsync(timeout.Token) is 1;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException || TransientFaults.IsDatabaseOutage(e))
        {
            return false;
        }
    }

    /// <summary>Blobs found damaged in the store and out of service until a sync fetches them again (null while the database is away).</summary>
    private static async Task<JsonNode?> DamagedBlobs(BlobHealth health)
    {
        try
        {
            var (count, first) = await health.DamagedAsync(first: 20, CancellationToken.None);
            return new JsonObject
            {
                ["count"] = count,
                ["blobs"] = new JsonArray(first.Select(b => (JsonNode?)new JsonObject { ["digest"] = b.Digest, ["damage"] = b.Damage }).ToArray()),
            };
        }
        catch (Exception e) when (TransientFaults.IsTransient(e))
        {
            return null;
        }
    }

    // The folder store's disk; object storage has no size to report.
    private static JsonObject? Storage(BlobStoreSettings blobs)
    {
        if (!blobs.Kind.Equals("folder", StringComparison.OrdinalIgnoreCase) || blobs.Root is not { } blobRoot || !Directory.Exists(blobRoot)) return null;
        var drive = new DriveInfo(Path.GetFullPath(blobRoot));
        return new JsonObject { ["total"] = drive.TotalSize, ["used"] = drive.TotalSize - drive.AvailableFreeSpace, ["free"] = drive.AvailableFreeSpace };
    }
}
