using Mirror.Hosting;
using Npgsql;

namespace Mirror.UnitTests.Hosting;

/// <summary>What every process adds to the configured connection string, and that a setting the operator chose wins.</summary>
public class DatabaseConnectionTests
{
    private sealed class Settings : MirrorSettings;

    private static NpgsqlConnectionStringBuilder Of(string configured) => new(new Settings { Database = configured }.DatabaseConnection);

    [Fact]
    public void Statements_are_prepared_and_pooled_connections_are_not_reset_by_default()
    {
        var connection = Of("Host=db;Database=mirror;Username=mirror");

        Assert.Equal(MirrorSettings.AutoPrepared, connection.MaxAutoPrepare);
        Assert.True(connection.NoResetOnClose);
        Assert.Contains("idle_in_transaction_session_timeout", connection.Options, StringComparison.Ordinal);
        Assert.Equal("db", connection.Host);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false")]
    public void A_setting_in_the_configured_string_is_kept(string configured)
    {
        var connection = Of(configured);

        Assert.Equal(0, connection.MaxAutoPrepare);
        Assert.False(connection.NoResetOnClose);
    }
}
