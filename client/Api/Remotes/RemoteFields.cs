using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Oci;
using Mirror.Remotes;

namespace Mirror.Gateway.Api.Remotes;

/// <summary>
/// Reads and validates a container remote (or, <c>pullThrough</c>, a pull-through remote: no <c>upstream_name</c>, <c>sigstore</c> or
/// tag filters, <c>includes</c>/<c>excludes</c> over upstream repository names, <c>policy</c> only <c>on_demand</c>) from a create or
/// update body, with pulpcore's defaults.
/// </summary>
public static class RemoteFields
{
    private static readonly (string Name, Func<JsonObject> Schema)[] ReadOnly =
    [
        ("pulp_href", Schema.Uri), ("prn", () => Schema.String()), ("pulp_created", Schema.DateTime), ("pulp_last_updated", Schema.DateTime),
        ("hidden_fields", () => Schema.Array(Schema.Object([("name", Schema.String()), ("is_set", Schema.Boolean())], ["name", "is_set"]))),
    ];

    private static readonly string[] PullThroughPolicies = [RemotePolicies.OnDemand];

    public static (RemoteSettings Settings, RemoteSecrets Secrets) Read(FieldReader fields, RemoteView? current, RemoteSecrets? currentSecrets, bool pullThrough = false)
    {
        foreach (var (field, schema) in ReadOnly) fields.ReadOnly(field, schema());
        var c = current?.Settings;
        var name = fields.String("name", required: true, maxLength: 255);
        var url = fields.String("url", required: true);
        var upstreamName = pullThrough ? default : fields.String("upstream_name", required: true, maxLength: 255);
        var caCert = fields.String("ca_cert", allowNull: true);
        var clientCert = fields.String("client_cert", allowNull: true);
        var clientKey = fields.String("client_key", allowNull: true, writeOnly: true);
        var tlsValidation = fields.Boolean("tls_validation", c?.TlsValidation ?? true);
        var proxyUrl = fields.String("proxy_url", allowNull: true);
        var proxyUsername = fields.String("proxy_username", allowNull: true, writeOnly: true);
        var proxyPassword = fields.String("proxy_password", allowNull: true, writeOnly: true);
        var username = fields.String("username", allowNull: true, writeOnly: true);
        var password = fields.String("password", allowNull: true, writeOnly: true);
        var labels = fields.Labels("pulp_labels");
        var downloadConcurrency = fields.Integer("download_concurrency", min: 1, allowNull: true);
        var maxRetries = fields.Integer("max_retries", min: 0, allowNull: true);
        var policy = fields.Choice("policy", pullThrough ? PullThroughPolicies : RemotePolicies.All);
        var totalTimeout = fields.Number("total_timeout", min: 0, allowNull: true);
        var connectTimeout = fields.Number("connect_timeout", min: 0, allowNull: true);
        var sockConnectTimeout = fields.Number("sock_connect_timeout", min: 0, allowNull: true);
        var sockReadTimeout = fields.Number("sock_read_timeout", min: 0, allowNull: true);
        var headers = fields.ObjectList("headers");
        var rateLimit = fields.Integer("rate_limit", min: 0, allowNull: true);
        var includeTags = pullThrough ? default : fields.StringList("include_tags", maxItemLength: 255);
        var excludeTags = pullThrough ? default : fields.StringList("exclude_tags", maxItemLength: 255);
        var includes = fields.StringList("includes", maxItemLength: 255);
        var excludes = fields.StringList("excludes", maxItemLength: 255);
        var sigstore = pullThrough ? default : fields.String("sigstore", allowNull: true);
        var platforms = fields.StringList(PlatformsField, maxItemLength: 255);

        if (url.Value is { } u) CheckUrl(fields, "url", u);
        if (proxyUrl.Value is { } p) CheckUrl(fields, "proxy_url", p);
        if (sigstore.Value is { } s) CheckUrl(fields, "sigstore", s);
        if (platforms.Value is { } listed) CheckPlatforms(fields, listed);
        foreach (var (field, pem) in new[] { ("ca_cert", caCert.Value), ("client_cert", clientCert.Value) })
            if (pem is not null && !pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                fields.AddError(field, "Certificate must be in PEM format (-----BEGIN CERTIFICATE-----).");

        var settings = new RemoteSettings
        {
            Name = name.Value ?? c?.Name ?? "",
            Url = url.Value ?? c?.Url ?? "",
            UpstreamName = upstreamName.Value ?? c?.UpstreamName ?? "",
            CaCert = caCert.Or(c?.CaCert),
            ClientCert = clientCert.Or(c?.ClientCert),
            TlsValidation = tlsValidation.Value,
            ProxyUrl = proxyUrl.Or(c?.ProxyUrl),
            PulpLabels = labels.Present ? labels.Value : c?.PulpLabels ?? [],
            // pulpcore stores null and downloads with 10; showing the 10 that applies is clearer.
            DownloadConcurrency = downloadConcurrency.Present ? downloadConcurrency.Value ?? RemoteSettings.DefaultDownloadConcurrency
                : c?.DownloadConcurrency ?? RemoteSettings.DefaultDownloadConcurrency,
            MaxRetries = maxRetries.Or(c?.MaxRetries),
            Policy = policy.Value ?? c?.Policy ?? (pullThrough ? RemotePolicies.OnDemand : RemotePolicies.Immediate),
            TotalTimeout = totalTimeout.Or(c?.TotalTimeout),
            ConnectTimeout = connectTimeout.Or(c?.ConnectTimeout),
            SockConnectTimeout = sockConnectTimeout.Or(c?.SockConnectTimeout),
            SockReadTimeout = sockReadTimeout.Or(c?.SockReadTimeout),
            Headers = headers.Present ? headers.Value : c?.Headers ?? [],
            RateLimit = rateLimit.Or(c?.RateLimit),
            // include_tags/exclude_tags are the older names of includes/excludes (pulp_container 2.28 merged them).
            Includes = Merge(includes, includeTags, c?.Includes),
            Excludes = Merge(excludes, excludeTags, c?.Excludes),
            Sigstore = sigstore.Or(c?.Sigstore),
            Platforms = platforms.Present ? platforms.Value?.Select(PlatformFilter.Normal).Distinct().ToList() : c?.Platforms,
            PullThrough = pullThrough,
            SharesLimitsOf = c?.SharesLimitsOf,
        };
        var secrets = new RemoteSecrets
        {
            Username = username.Or(currentSecrets?.Username),
            Password = password.Or(currentSecrets?.Password),
            ProxyUsername = proxyUsername.Or(currentSecrets?.ProxyUsername),
            ProxyPassword = proxyPassword.Or(currentSecrets?.ProxyPassword),
            ClientKey = clientKey.Or(currentSecrets?.ClientKey),
        };
        if ((secrets.ProxyUsername is null) != (secrets.ProxyPassword is null))
            fields.AddError("proxy_username", "proxy_username and proxy_password must both be set or both be unset.");
        else if (secrets.ProxyUsername is not null && settings.ProxyUrl is null)
            fields.AddError("proxy_url", "proxy_url must be set when proxy credentials are set.");
        fields.ThrowIfInvalid();
        return (settings, secrets);
    }

    /// <summary>This mirror's platform filter; the <c>mirror_</c> prefix keeps it apart from any field Pulp may add.</summary>
    public const string PlatformsField = "mirror_platforms";

    private static void CheckPlatforms(FieldReader fields, List<string> platforms)
    {
        if (platforms.Count == 0)
            fields.AddError(PlatformsField, "List at least one platform (os/arch[/variant]), or set null to mirror every platform.");
        else if (platforms.FirstOrDefault(p => !PlatformFilter.IsValid(p)) is { } bad)
            fields.AddError(PlatformsField, $"\"{bad}\" is not a platform: write os/arch or os/arch/variant (linux/amd64, linux/arm64/v8).");
    }

    private static List<string>? Merge(Field<List<string>?> current, Field<List<string>?> legacy, List<string>? existing)
    {
        if (!current.Present && !legacy.Present) return existing;
        var merged = (current.Value ?? []).Concat(legacy.Value ?? []).Distinct().ToList();
        return merged.Count == 0 && current.Value is null && legacy.Value is null ? null : merged;
    }

    private static void CheckUrl(FieldReader fields, string field, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            fields.AddError(field, "Enter a valid URL.");
        else if (!string.IsNullOrEmpty(uri.UserInfo) || value.Contains('@'))
            fields.AddError(field, "The URL must not contain credentials; use the username and password fields.");
    }
}
