using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mirror.Storage.Blobs;

/// <summary>
/// AWS Signature Version 4 query-string presigning for a path-style object URL. Minio 7 presigns GET and PUT only,
/// and clients also HEAD blobs; signing here keeps GET and HEAD on one path.
/// </summary>
public sealed class S3Presigner(Uri endpoint, string accessKey, string secretKey, string region)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    public Uri Presign(string method, string bucket, string key, TimeSpan expiry, DateTimeOffset now) =>
        Presign(method, "/" + Encode(bucket, keepSlashes: false) + "/" + Encode(key, keepSlashes: true), expiry, now);

    /// <param name="path">The already URI-encoded absolute path.</param>
    public Uri Presign(string method, string path, TimeSpan expiry, DateTimeOffset now)
    {
        var seconds = (long)expiry.TotalSeconds;
        if (seconds is < 1 or > 604800) throw new ArgumentOutOfRangeException(nameof(expiry), "a presigned URL lives between 1 second and 7 days");
        var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var timestamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/s3/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Amz-Algorithm"] = Algorithm,
            ["X-Amz-Credential"] = $"{accessKey}/{scope}",
            ["X-Amz-Date"] = timestamp,
            ["X-Amz-Expires"] = seconds.ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        var canonicalQuery = string.Join('&', query.Select(p => Encode(p.Key, false) + "=" + Encode(p.Value, false)));
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var canonicalRequest = $"{method.ToUpperInvariant()}\n{path}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var stringToSign = $"{Algorithm}\n{timestamp}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, stringToSign));
        return new Uri($"{endpoint.Scheme}://{host}{path}?{canonicalQuery}&X-Amz-Signature={signature}");
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    // RFC 3986 unreserved characters stay, everything else is %XX (uppercase), as SigV4 requires.
    private static string Encode(string value, bool keepSlashes)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (keepSlashes && c == '/'))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
