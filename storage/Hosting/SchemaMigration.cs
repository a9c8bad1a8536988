using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Mirror.Hosting;

/// <summary>
/// Brings the database to this build's schema when the host starts. It runs in the "starting" phase, which precedes every
/// hosted service's start, Orleans' included (its silo service is registered first, whatever the order of the calls).
/// </summary>
internal sealed class SchemaMigration(NpgsqlDataSource db) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Mirror.Storage.SchemaMigrator.MigrateAsync(db, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
