using Mirror.Hosting;
using Mirror.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddMirrorSilo();

var app = builder.Build();
app.MapMirrorHealth();
app.MapMirrorMetrics();

return await app.RunMirrorAsync("mirror-silo");
