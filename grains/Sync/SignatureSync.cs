using Microsoft.Extensions.Logging;
using Mirror.Grains.Logging;
using Mirror.Oci.Signatures;
using Mirror.Oci.Upstream;
using Mirror.Storage.Content;

namespace Mirror.Grains.Sync;

/// <summary>Where a remote's atomic signatures come from, as pulp_container decides it before a sync.</summary>
internal enum SignatureSource { None, Sigstore, Extension }

/// <summary>
/// Atomic signatures of the manifests a sync took, as pulp_container syncs them: from the remote's <c>sigstore</c>
/// (<c>signature-1</c>, <c>signature-2</c>… until a 404), else from the registry's signature extension when its <c>/v2/</c>
/// says <c>X-Registry-Supports-Signatures: 1</c>. Each is read (OpenPGP, not verified) and stored as a
/// <c>container.signature</c> of its manifest; one that is not an atomic signature, or signs another manifest, is skipped
/// with a warning. Every request goes through the remote's permits like the rest of the sync.
/// </summary>
internal sealed class SignatureSync(UpstreamSession upstream, Signatures store, UpstreamFeatures features, Uri? sigstore, int concurrency,
    ILogger log, Guid taskId)
{
    /// <summary>A sigstore that answers every number is broken; this many signatures of one manifest are plenty.</summary>
    private const int MaxSignaturesPerManifest = 64;

    /// <summary>The remote's sigstore, else the extension when the registry has it (the answer remembered a while, see <see cref="UpstreamFeatures"/>).</summary>
    public async Task<SignatureSource> ProbeAsync(CancellationToken ct) =>
        sigstore is not null ? SignatureSource.Sigstore
        : await features.ProbedAsync(upstream.Client.Options.Url, upstream.Client.Options.Repository, UpstreamFeature.SignatureExtension,
            () => upstream.Request((client, attempt) => client.HasSignatureExtensionAsync(attempt), ct), ct) ? SignatureSource.Extension
        : SignatureSource.None;

    /// <summary>The signatures stored for each of <paramref name="manifests"/> (by digest), from <paramref name="source"/>.</summary>
    public async Task<Dictionary<string, List<string>>> FetchAsync(SignatureSource source, IReadOnlyCollection<string> manifests, Func<Task> progress,
        CancellationToken ct)
    {
        var found = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (source == SignatureSource.None) return found;
        await Concurrently.ForEachAsync(manifests, concurrency, async manifest =>
        {
            var fetched = source == SignatureSource.Sigstore ? await FromSigstoreAsync(manifest, ct) : await FromExtensionAsync(manifest, ct);
            var stored = new List<string>();
            foreach (var (name, raw) in fetched)
                if (await StoreAsync(manifest, name, raw, ct) is { } digest) stored.Add(digest);
            found[manifest] = stored;
            await progress();
        });
        return found;
    }

    private async Task<List<(string? Name, byte[] Raw)>> FromSigstoreAsync(string manifest, CancellationToken ct)
    {
        var fetched = new List<(string? Name, byte[] Raw)>();
        for (var number = 1; number <= MaxSignaturesPerManifest; number++)
        {
            var raw = await upstream.Request((client, attempt) => client.GetSigstoreSignatureAsync(sigstore!, manifest, number, AtomicSignature.MaxBytes, attempt), ct);
            if (raw is null) break;
            fetched.Add((null, raw));
        }
        return fetched;
    }

    private async Task<List<(string? Name, byte[] Raw)>> FromExtensionAsync(string manifest, CancellationToken ct)
    {
        var listed = await upstream.Request((client, attempt) => client.GetSignaturesAsync(manifest, attempt), ct);
        // Only atomic signatures are container.signature content; the extension has no other type today.
        return listed.Where(s => s.Type == AtomicSignature.Type).Take(MaxSignaturesPerManifest).Select(s => (s.Name, s.Content)).ToList();
    }

    /// <summary>Reads and stores one signature of <paramref name="manifest"/>; its digest, or null when it was skipped.</summary>
    private async Task<string?> StoreAsync(string manifest, string? name, byte[] raw, CancellationToken ct)
    {
        AtomicSignature signature;
        try
        {
            signature = AtomicSignature.Parse(raw);
        }
        catch (InvalidSignatureException e)
        {
            log.SyncSkippedSignature(taskId, manifest, e.Message);
            return null;
        }
        if (signature.ManifestDigest != manifest)
        {
            log.SyncSkippedSignature(taskId, manifest, $"it signs {signature.ManifestDigest}");
            return null;
        }
        // The extension's name when it is one of the form Pulp gives (<manifest digest>@<name>), else Pulp's form made here.
        var stored = name is not null && name.StartsWith(manifest + "@", StringComparison.Ordinal) && name.Length <= manifest.Length + 1 + 64
            ? name : signature.NameFor();
        return await store.StoreAsync(signature, stored, raw, ct) ? signature.Digest : null;
    }
}
