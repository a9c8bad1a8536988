using Mirror.Hosting;
using Mirror.Silo;

// The content root is where the binaries are, not the working directory: the host watches its content root for
// configuration changes, and a working directory that holds the blob folder (./mirror up) made every stored blob an event.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddMirrorSilo();

var app = builder.Build();
app.MapMirrorHealth();
app.MapMirrorMetrics();

return await app.RunMirrorAsync("mirror-silo");
