using Microsoft.Extensions.Hosting;
using Mirror.Hosting;
using Mirror.Silo;

var builder = Host.CreateApplicationBuilder(args);
builder.AddMirrorSilo();

return await builder.Build().RunMirrorAsync("mirror-silo");
