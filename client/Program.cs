using Mirror;
using Mirror.Gateway;
using Mirror.Gateway.Api;
using Mirror.Gateway.Http;
using Mirror.Gateway.Registry;
using Mirror.Hosting;
using Orleans.Dashboard;

// The content root is where the binaries are, not the working directory: the host watches its content root for
// configuration changes, and a working directory that holds the blob folder (./mirror up) made every stored blob an event.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddMirrorGateway();

var app = builder.Build();
app.UseMiddleware<RequestLog>();
app.Use(SecurityHeaders.Middleware);
app.UseMiddleware<ApiErrorMiddleware>();
app.Use(CorrelationId.Middleware);
app.UseMiddleware<AuthThrottle>();
app.UseMiddleware<BasicAuthentication>();
app.UseWhen(c => c.Request.Path.StartsWithSegments("/v2") || c.Request.Path.StartsWithSegments("/extensions/v2"), v2 => v2.UseMiddleware<RegistryMiddleware>());
app.Use(TextInput.Guard);

app.MapPulpApi();
RegistryEndpoints.Map(app);
SignatureEndpoints.Map(app);
app.MapMirrorHealth();
app.MapMirrorMetrics();
app.MapOrleansDashboard(routePrefix: "/dashboard").WithMetadata(AdminOnly.Instance);
TokenEndpoint.Map(app);

return await app.RunMirrorAsync("mirror-gateway");
