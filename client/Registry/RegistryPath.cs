namespace Mirror.Gateway.Registry;

/// <summary>What a registry request asks for; <see cref="Signatures"/> is the signature extension's (<c>/extensions/v2/</c>), never parsed here.</summary>
public enum RegistryRoute { Base, Catalog, Tags, Manifest, Blob, Upload, Referrers, Signatures, Unknown }

/// <summary>
/// What a <c>/v2/…</c> path asks for. Repository names hold '/', so the name is everything before the last
/// <c>/manifests/</c>, <c>/blobs/</c>, <c>/referrers/</c> or <c>/tags/list</c>.
/// </summary>
public sealed record RegistryPath(RegistryRoute Route, string Name = "", string Reference = "")
{
    public static RegistryPath Parse(string rest)
    {
        rest = rest.Trim('/');
        if (rest.Length == 0) return new(RegistryRoute.Base);
        if (rest == "_catalog") return new(RegistryRoute.Catalog);
        if (rest.EndsWith("/tags/list", StringComparison.Ordinal)) return new(RegistryRoute.Tags, rest[..^"/tags/list".Length]);
        if (Split(rest, "/blobs/uploads") is { } upload) return new(RegistryRoute.Upload, upload.Name, upload.Reference);
        if (Split(rest, "/referrers/") is { } referrers) return new(RegistryRoute.Referrers, referrers.Name, referrers.Reference);
        if (Split(rest, "/manifests/") is { } manifest) return new(RegistryRoute.Manifest, manifest.Name, manifest.Reference);
        if (Split(rest, "/blobs/") is { } blob) return new(RegistryRoute.Blob, blob.Name, blob.Reference);
        return new(RegistryRoute.Unknown, rest);
    }

    private static (string Name, string Reference)? Split(string rest, string marker)
    {
        var at = rest.LastIndexOf(marker, StringComparison.Ordinal);
        return at <= 0 ? null : (rest[..at], rest[(at + marker.Length)..].TrimStart('/'));
    }
}
