using Mirror.Tests.Infrastructure;

namespace Mirror.Tests.Cluster;

/// <summary>A bad setting stops the process at start, with a non-zero exit and the key named, before it touches the database.</summary>
public sealed class SettingsTests
{
    private const string Unreachable = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";

    [Fact]
    public async Task A_silo_without_a_database_exits_naming_Mirror_Database()
    {
        var output = await ExitOf("silo", new() { ["Mirror__SiloPort"] = "11111" });
        Assert.Contains("Mirror:Database (the PostgreSQL connection string) is not set", output);
    }

    [Fact]
    public async Task A_silo_with_a_port_that_is_not_a_number_exits_naming_the_key()
    {
        var output = await ExitOf("silo", new() { ["Mirror__Database"] = Unreachable, ["Mirror__SiloPort"] = "eleven" });
        Assert.Contains("'Mirror:SiloPort'", output);
    }

    [Fact]
    public async Task A_silo_with_a_port_out_of_range_exits_naming_the_key()
    {
        var output = await ExitOf("silo", new() { ["Mirror__Database"] = Unreachable, ["Mirror__GatewayPort"] = "70000" });
        Assert.Contains("Mirror:GatewayPort is 70000", output);
    }

    [Fact]
    public async Task A_silo_with_an_unknown_blob_store_exits_naming_the_key()
    {
        var output = await ExitOf("silo", new() { ["Mirror__Database"] = Unreachable, ["Mirror__Blobs__Kind"] = "tape" });
        Assert.Contains("Mirror:Blobs:Kind must be 'folder' or 's3'", output);
    }

    [Fact]
    public async Task A_silo_with_a_bad_otlp_endpoint_or_protocol_exits_naming_each_key()
    {
        var output = await ExitOf("silo", new() { ["Mirror__Database"] = Unreachable, ["Mirror__OtlpEndpoint"] = "collector:4317", ["Mirror__OtlpProtocol"] = "udp" });
        Assert.Contains("Mirror:OtlpEndpoint is not an http or https URL", output);
        Assert.Contains("Mirror:OtlpProtocol is 'udp'; expected 'grpc' or 'http/protobuf'", output);
    }

    [Fact]
    public async Task A_gateway_with_every_setting_wrong_names_each_key_and_no_secret()
    {
        var output = await ExitOf("gateway", new()
        {
            ["Mirror__Database"] = "not a connection string; Password=hunter2",
            ["Mirror__Listen"] = "https://0.0.0.0:443/path",
            ["Mirror__EncryptionKey"] = "c2hvcnQta2V5",
        });
        Assert.Contains("Mirror:Database is not an Npgsql connection string", output);
        Assert.Contains("Mirror:Listen is not an http://address:port URL", output);
        Assert.Contains("Mirror:AdminPassword is not set", output);
        Assert.Contains("Mirror:EncryptionKey is not 32 bytes in base64", output);
        Assert.DoesNotContain("hunter2", output);
        Assert.DoesNotContain("c2hvcnQta2V5", output);
    }

    [Fact]
    public async Task A_gateway_with_bad_registry_users_names_each_key_and_no_password()
    {
        var output = await ExitOf("gateway", new()
        {
            ["Mirror__Database"] = Unreachable,
            ["Mirror__AdminPassword"] = "password",
            ["Mirror__Users__0__Username"] = "admin",
            ["Mirror__Users__0__Password"] = "sesame-one",
            ["Mirror__Users__0__Push__0"] = "Team/App",
            ["Mirror__Users__1__Username"] = "dev",
            ["Mirror__Users__1__Pull__0"] = "team",
            ["Mirror__Users__2__Username"] = "ops",
            ["Mirror__Users__2__Password"] = "sesame-two",
        });
        Assert.Contains("Mirror:Users:0:Username is the admin's", output);
        Assert.Contains("Mirror:Users:0:Push:0 is 'Team/App': not a repository name prefix", output);
        Assert.Contains("Mirror:Users:1:Password is not set", output);
        Assert.Contains("Mirror:Users:2 may neither push nor pull", output);
        Assert.DoesNotContain("sesame", output);
    }

    private static async Task<string> ExitOf(string process, Dictionary<string, string> environment)
    {
        var (project, assembly) = process == "silo" ? ("silo", "Mirror.Silo.dll") : ("client", "Mirror.Gateway.dll");
        environment.TryAdd("Mirror__EncryptionKey", TestEnvironment.EncryptionKey);
        environment.TryAdd("Mirror__Blobs__Root", Path.Combine(TestEnvironment.WorkFolder, "settings-blobs"));
        await using var started = MirrorProcess.Start(process, project, assembly, environment);
        var exitCode = await started.WaitForExitAsync(TimeSpan.FromSeconds(180));
        Assert.NotEqual(0, exitCode);
        return started.Output;
    }
}
