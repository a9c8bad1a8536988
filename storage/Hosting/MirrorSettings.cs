using Npgsql;

namespace Mirror.Hosting;

/// <summary>
/// The keys of section <c>Mirror</c> that every process of one cluster reads and must agree on (environment variables
/// <c>Mirror__Database</c>, <c>Mirror__ClusterId</c>, …). The silo's and the gateway's settings extend this one definition.
/// </summary>
public abstract class MirrorSettings
{
    public const string Section = "Mirror";

    /// <summary>The Npgsql connection string (<c>Host=…;Database=…</c>) of the database holding membership, grain state and the catalog.</summary>
    public string Database { get; set; } = "";

    /// <summary>
    /// <see cref="Database"/> as every connection of the process uses it: PostgreSQL ends a session of ours that sits in a
    /// transaction for <see cref="IdleInTransactionLimit"/> without a word. A process cut off from the database mid-transaction
    /// (a partitioned silo) would otherwise hold its row and advisory locks until the server's TCP keepalive gives up,
    /// hours later, and every other silo needing them would wait as long. Our transactions take milliseconds.
    /// <para>
    /// Unless the connection string says otherwise, statements run often are prepared on each connection (PostgreSQL then
    /// parses and plans them once, not per execution), and a connection going back to the pool is not reset: nothing of ours
    /// leaves session state behind (advisory locks are per transaction, the migrator's own lock is released by it), and the
    /// reset was a <c>DISCARD ALL</c> before the next statement of nearly every database call.
    /// </para>
    /// </summary>
    public string DatabaseConnection
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(Database);
            if (builder.Options?.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal) != true)
                builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout={(int)IdleInTransactionLimit.TotalMilliseconds}".Trim();
            // The keys the configured string sets itself, compared without case and spaces, as Npgsql compares them.
            var configured = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = Database }.Keys.Cast<string>()
                .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!configured.Contains(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))) builder.MaxAutoPrepare = AutoPrepared;
            if (!configured.Contains(nameof(NpgsqlConnectionStringBuilder.NoResetOnClose))) builder.NoResetOnClose = true;
            return builder.ConnectionString;
        }
    }

    public static readonly TimeSpan IdleInTransactionLimit = TimeSpan.FromSeconds(30);

    /// <summary>How many distinct statements each connection keeps prepared (Npgsql's <c>Max Auto Prepare</c>).</summary>
    public const int AutoPrepared = 64;

    public string ClusterId { get; set; } = "mirror";

    public string ServiceId { get; set; } = "mirror";

    /// <summary>
    /// The key that seals secrets in the database (remote credentials, grain state, the registry's token key): 32 random bytes
    /// in base64 (<c>openssl rand -base64 32</c>), the same in every process of the cluster (<see cref="Storage.Secrets.SecretBox"/>).
    /// </summary>
    public string EncryptionKey { get; set; } = "";

    /// <summary>Keys used before <see cref="EncryptionKey"/>, still read during a rotation (<c>Mirror__PreviousEncryptionKeys__0</c>, …).</summary>
    public List<string> PreviousEncryptionKeys { get; set; } = [];
    /// <summary>Where spans go over OTLP (an OpenTelemetry collector, Jaeger, Tempo…); unset sends none unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (the default, port 4317) or <c>http/protobuf</c> (port 4318; <c>/v1/traces</c> is added to the endpoint).</summary>
    public string? OtlpProtocol { get; set; }

    public static bool IsHttpProtobuf(string? protocol) => string.Equals(protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong, one sentence per key, each naming the key; empty when the settings can run.</summary>
    public virtual IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Database)) yield return $"{Key(nameof(Database))} (the PostgreSQL connection string) is not set";
        else if (!IsConnectionString(Database)) yield return $"{Key(nameof(Database))} is not an Npgsql connection string (Host=…;Database=…;Username=…)";
        if (string.IsNullOrWhiteSpace(ClusterId)) yield return $"{Key(nameof(ClusterId))} is empty";
        if (string.IsNullOrWhiteSpace(ServiceId)) yield return $"{Key(nameof(ServiceId))} is empty";
        // Never the value in the message: it is the secret.
        if (EncryptionKey.Length == 0) yield return $"{Key(nameof(EncryptionKey))} (32 random bytes in base64, e.g. openssl rand -base64 32) is not set";
        else if (!Storage.Secrets.SecretBox.IsKey(EncryptionKey)) yield return $"{Key(nameof(EncryptionKey))} is not 32 bytes in base64";
        for (var i = 0; i < PreviousEncryptionKeys.Count; i++)
            if (!Storage.Secrets.SecretBox.IsKey(PreviousEncryptionKeys[i])) yield return $"{Key(nameof(PreviousEncryptionKeys))}:{i} is not 32 bytes in base64";
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
            yield return $"{Key(nameof(OtlpEndpoint))} is not an http or https URL";
        if (OtlpProtocol is { } protocol && protocol != "grpc" && !IsHttpProtobuf(protocol))
            yield return $"{Key(nameof(OtlpProtocol))} is '{protocol}'; expected 'grpc' or 'http/protobuf'";
    }

    public static string Key(string name) => $"{Section}:{name}";

    protected static IEnumerable<string> PortProblems(string name, int port) =>
        port is > 0 and <= 65535 ? [] : [$"{Key(name)} is {port}; a port is between 1 and 65535"];

    private static bool IsConnectionString(string value)
    {
        try
        {
            // The parser's message may quote the value, which holds the password: only whether it parses is used.
            return new NpgsqlConnectionStringBuilder(value).Host is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
