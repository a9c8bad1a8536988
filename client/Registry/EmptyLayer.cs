namespace Mirror.Gateway.Registry;

/// <summary>
/// The layer Docker's schema 1 manifests use for steps without files: a gzipped empty tar (1024 zero bytes) of 32 bytes. Pulp serves
/// it for every distribution whether stored or not, since clients ask for it by digest without it being listed anywhere else.
/// </summary>
public static class EmptyLayer
{
    public const string Digest = "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    // The exact gzip member Docker wrote once (its header carries that moment's mtime): any other encoding of the same tar has another digest.
    private static readonly byte[] Content =
    [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x09, 0x6e, 0x88, 0x00, 0xff, 0x62, 0x18, 0x05, 0xa3, 0x60, 0x14,
        0x8c, 0x58, 0x00, 0x08, 0x00, 0x00, 0xff, 0xff, 0x2e, 0xaf, 0xb5, 0xef, 0x00, 0x04, 0x00, 0x00,
    ];

    public static ReadOnlyMemory<byte> Bytes => Content;
}
