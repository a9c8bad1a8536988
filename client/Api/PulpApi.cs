using Mirror.Gateway.Api.Content;
using Mirror.Gateway.Api.Distributions;
using Mirror.Gateway.Api.Fleet;
using Mirror.Gateway.Api.Generic;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Orphans;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Repair;
using Mirror.Gateway.Api.Repositories;
using Mirror.Gateway.Api.Schedules;
using Mirror.Gateway.Api.Status;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;

namespace Mirror.Gateway.Api;

public static class PulpApi
{
    /// <summary>Pulp's REST API under <c>/pulp/api/v3/</c>; every route here is described in <c>docs/api.json</c>.</summary>
    public static IEndpointRouteBuilder MapPulpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Hrefs.ApiRoot.TrimEnd('/'));
        StatusEndpoint.Map(api);
        DocsEndpoints.Map(api);
        ReferencePage.Map(api);
        RepositoryEndpoints.Map(api);
        PushRepositoryEndpoints.Map(api);
        ContentActionEndpoints.MapPush(api);
        ContentActionEndpoints.Map(api);
        RemoteEndpoints.Map(api);
        TaskEndpoints.Map(api);
        ScheduleEndpoints.Map(api);
        ContentEndpoints.Map(api);
        ArtifactEndpoints.Map(api);
        DistributionEndpoints.Map(api);
        RepairEndpoints.Map(api);
        OrphanEndpoints.Map(api);
        ReclaimSpaceEndpoints.Map(api);
        GenericListEndpoints.Map(api);
        WorkerEndpoints.Map(api);
        NamespaceEndpoints.Map(api);
        RegistrySyncEndpoints.Map(api);
        api.MapFallback(() => { throw ApiError.NotFound(); });
        return app;
    }
}
