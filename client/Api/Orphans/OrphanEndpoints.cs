using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Tasks;
using Microsoft.AspNetCore.Mvc;

namespace Mirror.Gateway.Api.Orphans;

/// <summary>
/// pulpcore's <c>POST orphans/cleanup/</c>: <c>content_hrefs</c> (only these units, when given) and
/// <c>orphan_protection_time</c> (minutes; <c>Mirror:OrphanProtectionTime</c> when left out); 202 with the task.
/// </summary>
public static class OrphanEndpoints
{
    private static readonly ApiSchema CleanupBody = ApiSchema.FromReader("OrphansCleanup", f => Read(f));

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("orphans/cleanup/", async (HttpContext context, IGrainFactory grains, [FromServices] GatewaySettings settings) =>
            {
                var fields = new FieldReader(await RequestBody.ReadObject(context.Request), partial: false);
                var (hrefs, minutes) = Read(fields);
                var ids = new List<Guid>();
                foreach (var href in hrefs.Value ?? [])
                {
                    if (Hrefs.TryParseContent(href, out var id)) ids.Add(id);
                    else fields.AddError("content_hrefs", $"URI {href} not found.");
                }
                fields.ThrowIfInvalid();
                var protection = TimeSpan.FromMinutes(minutes.Value ?? settings.OrphanProtectionTime);
                return await TaskDispatch.Accepted(grains, context, new CleanupOrphans(hrefs.Value is null ? null : ids, protection));
            })
            .Describe("Orphans: Cleanup", new PulpOperation("orphans_cleanup", "cleanup", "Clean up orphaned content")
            {
                Body = CleanupBody, Dispatches = true, SelectsFields = false,
            });

    private static (Field<List<string>?> ContentHrefs, Field<int?> ProtectionTime) Read(FieldReader fields) =>
        (fields.StringList("content_hrefs"), fields.Integer("orphan_protection_time", min: 0, allowNull: true));
}
