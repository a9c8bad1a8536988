using Mirror;
using Mirror.Gateway;
using Mirror.Gateway.Api.Remotes;
using Mirror.Gateway.Api.Repair;
using Mirror.Gateway.Api.Content;
using Mirror.Gateway.Api.Distributions;
using Mirror.Gateway.Api.Repositories;
using Mirror.Gateway.Api.Status;
using Mirror.Gateway.Api.Tasks;
using Mirror.Gateway.Http;
using Mirror.Gateway.Registry;
using Mirror.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMirrorGateway();

var app = builder.Build();
app.UseMiddleware<ApiErrorMiddleware>();
app.Use(CorrelationId.Middleware);
app.UseMiddleware<BasicAuthentication>();
app.UseWhen(c => c.Request.Path.StartsWithSegments("/v2"), v2 => v2.UseMiddleware<RegistryMiddleware>());
app.Use(TextInput.Guard);

var api = app.MapGroup(Hrefs.ApiRoot.TrimEnd('/'));
StatusEndpoint.Map(api);
RepositoryEndpoints.Map(api);
RemoteEndpoints.Map(api);
TaskEndpoints.Map(api);
ContentEndpoints.Map(api);
DistributionEndpoints.Map(api);
RepairEndpoints.Map(api);
api.MapFallback(() => { throw ApiError.NotFound(); });
RegistryEndpoints.Map(app);
TokenEndpoint.Map(app);

return await app.RunMirrorAsync("mirror-gateway");
