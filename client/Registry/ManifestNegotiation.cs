using Mirror.Oci;

namespace Mirror.Gateway.Registry;

/// <summary>Pulp's rule for a manifest asked for by tag: no conversion, so a client that accepts none of the stored type gets nothing.</summary>
public static class ManifestNegotiation
{
    /// <summary>
    /// Whether the stored type may be sent: yes when no Accept values were sent, one equals the stored type, one is <c>*/*</c>, or the
    /// manifest is schema 1 (which Pulp always returns, as old clients do not say they accept it).
    /// </summary>
    public static bool Acceptable(IEnumerable<string?> acceptHeaders, string storedType)
    {
        var accepted = acceptHeaders.SelectMany(h => (h ?? "").Split(','))
            .Select(v => v.Split(';', 2)[0].Trim())
            .Where(v => v.Length > 0)
            .ToList();
        return accepted.Count == 0 || accepted.Contains(storedType) || accepted.Contains("*/*")
            || storedType is MediaTypes.DockerManifestV1 or MediaTypes.DockerManifestV1Signed;
    }

    /// <summary>The <c>Content-Type</c> to send: schema 1 is stored unsigned but served as the signed type, as Pulp does.</summary>
    public static string ContentType(string storedType) =>
        storedType == MediaTypes.DockerManifestV1 ? MediaTypes.DockerManifestV1Signed : storedType;
}
