using System.Security.Cryptography;
using System.Text;

namespace Mirror;

/// <summary>
/// Stable ids for objects known by a name: a name-based UUID (RFC 9562 version 8 over SHA-256), so the same object keeps the same
/// href on every gateway and across restarts (a silo, a namespace), and two callers that make the object of one name at once (two
/// gateways on a new push path, a registry sync run again) call the same grain.
/// </summary>
public static class NameIds
{
    private static readonly Guid Namespace = new("6f2c1b56-3a8e-4c1e-9d0b-5a3f1e7c2d90");

    public static Guid Of(string kind, string name)
    {
        var bytes = SHA256.HashData([.. Namespace.ToByteArray(bigEndian: true), .. Encoding.UTF8.GetBytes(kind + ":" + name)]);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }
}
