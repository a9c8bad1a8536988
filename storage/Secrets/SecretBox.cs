using System.Security.Cryptography;
using System.Text;
using Mirror.Hosting;

namespace Mirror.Storage.Secrets;

/// <summary>
/// Encryption at rest with the cluster's key (<c>Mirror:EncryptionKey</c>, 32 random bytes in base64, kept in a Kubernetes
/// secret as Pulp keeps its <c>DB_ENCRYPTION_KEY</c>): AES-256-GCM, each value with a fresh nonce and the id of the key
/// that sealed it, so values sealed under a key named in <c>Mirror:PreviousEncryptionKeys</c> still open during a rotation.
/// Whoever reads the database without the key learns nothing of what is sealed, and cannot alter it unnoticed.
/// </summary>
public sealed class SecretBox
{
    private static readonly byte[] Magic = "MIRSEAL1"u8.ToArray();
    private const string TextPrefix = "sealed:v1:";
    private const int IdBytes = 4, NonceBytes = 12, TagBytes = 16;
    private readonly (byte[] Id, byte[] Key) _current;
    private readonly Dictionary<uint, byte[]> _keys = [];

    public SecretBox(byte[] current, IEnumerable<byte[]> previous)
    {
        _current = (KeyId(current), current);
        foreach (var key in previous.Prepend(current)) _keys.TryAdd(BitConverter.ToUInt32(KeyId(key)), key);
    }

    public static SecretBox From(MirrorSettings settings) =>
        new(Convert.FromBase64String(settings.EncryptionKey), settings.PreviousEncryptionKeys.Select(Convert.FromBase64String));

    /// <summary>A new key, as <c>./mirror up</c> and the deployment notes make one.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="value"/> is 32 bytes in base64, the one form a key takes.</summary>
    public static bool IsKey(string? value)
    {
        Span<byte> bytes = stackalloc byte[33];
        return value is not null && Convert.TryFromBase64String(value, bytes, out var length) && length == 32;
    }

    /// <summary>The first bytes of the key's SHA-256: which key sealed a value, without saying anything about the key.</summary>
    public static byte[] KeyId(byte[] key) => SHA256.HashData(key)[..IdBytes];

    public byte[] Seal(ReadOnlySpan<byte> plain)
    {
        var sealedValue = new byte[Magic.Length + IdBytes + NonceBytes + TagBytes + plain.Length];
        var span = sealedValue.AsSpan();
        Magic.CopyTo(span);
        _current.Id.CopyTo(span[Magic.Length..]);
        var nonce = span.Slice(Magic.Length + IdBytes, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_current.Key, TagBytes);
        // The header is authenticated too: a value cannot be moved under another key id.
        aes.Encrypt(nonce, plain, span[^plain.Length..], span.Slice(Magic.Length + IdBytes + NonceBytes, TagBytes), span[..(Magic.Length + IdBytes)]);
        return sealedValue;
    }

    public static bool IsSealed(ReadOnlySpan<byte> value) => value.StartsWith(Magic);

    /// <summary>How every value sealed under the current key begins (the mark and the key's id).</summary>
    public byte[] CurrentHeader => [.. Magic, .. _current.Id];

    /// <summary>The plain bytes of a sealed value; a <see cref="CryptographicException"/> when no configured key sealed it or it was altered.</summary>
    public byte[] Open(ReadOnlySpan<byte> value)
    {
        var header = Magic.Length + IdBytes + NonceBytes + TagBytes;
        if (!IsSealed(value) || value.Length < header) throw new CryptographicException("not a sealed value");
        if (!_keys.TryGetValue(BitConverter.ToUInt32(value.Slice(Magic.Length, IdBytes)), out var key))
            throw new CryptographicException("sealed under a key that is neither Mirror:EncryptionKey nor one of Mirror:PreviousEncryptionKeys");
        var plain = new byte[value.Length - header];
        using var aes = new AesGcm(key, TagBytes);
        aes.Decrypt(value.Slice(Magic.Length + IdBytes, NonceBytes), value[header..], value.Slice(Magic.Length + IdBytes + NonceBytes, TagBytes), plain,
            value[..(Magic.Length + IdBytes)]);
        return plain;
    }

    /// <summary>Whether a sealed value was sealed under the current key (else a rotation still has it to rewrite).</summary>
    public bool IsCurrent(ReadOnlySpan<byte> value) => IsSealed(value) && value.Slice(Magic.Length, IdBytes).SequenceEqual(_current.Id);

    public string SealText(string plain) => TextPrefix + Convert.ToBase64String(Seal(Encoding.UTF8.GetBytes(plain)));

    public static bool IsSealedText(string value) => value.StartsWith(TextPrefix, StringComparison.Ordinal);

    /// <summary>Whether a text value is sealed under the current key: false for clear text and for a key being rotated out.</summary>
    public bool IsCurrentText(string value) => IsSealedText(value) && IsCurrent(Convert.FromBase64String(value[TextPrefix.Length..]));

    /// <summary>The plain text of a value <see cref="SealText"/> made; text stored before values were sealed is returned as it is.</summary>
    public string OpenText(string value) =>
        IsSealedText(value) ? Encoding.UTF8.GetString(Open(Convert.FromBase64String(value[TextPrefix.Length..]))) : value;
}
