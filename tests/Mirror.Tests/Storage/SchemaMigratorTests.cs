using Mirror.Storage;
using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Storage;

public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task Concurrent_first_starts_apply_each_script_exactly_once()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SchemaMigrator.MigrateAsync(database.DataSource, CancellationToken.None))));

        var scripts = SchemaMigrator.Scripts().Select(s => s.Name).ToList();
        // Numbered one after the other from 0001_orleans.sql, so a script is never skipped or run out of order.
        Assert.Equal("0001_orleans.sql", scripts[0]);
        Assert.Equal(Enumerable.Range(1, scripts.Count).Select(n => n.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)), scripts.Select(s => s[..4]));
        Assert.Equal(scripts, runs.SelectMany(r => r).Order());
        Assert.Equal(scripts.Count, await database.CountAsync("select count(*) from mirror_schema_migrations"));
        Assert.Empty(await SchemaMigrator.MigrateAsync(database.DataSource, CancellationToken.None));
        Assert.True(await database.CountAsync("select count(*) from orleansquery") > 10);
    }
}
