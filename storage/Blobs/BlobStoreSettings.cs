namespace Mirror.Storage.Blobs;

/// <summary>Configuration section <c>Mirror:Blobs</c>: which store holds blobs and how to reach it.</summary>
public sealed class BlobStoreSettings
{
    public const string Section = "Mirror:Blobs";

    /// <summary><c>folder</c> (the default) or <c>s3</c>.</summary>
    public string Kind { get; set; } = "folder";

    /// <summary>The folder store's root.</summary>
    public string? Root { get; set; }

    /// <summary>host:port of the S3 service.</summary>
    public string? S3Endpoint { get; set; }

    public string? S3AccessKey { get; set; }

    public string? S3SecretKey { get; set; }

    public string S3Bucket { get; set; } = "mirror-blobs";

    public bool S3Secure { get; set; }

    public string S3Region { get; set; } = "us-east-1";

    /// <summary>Where the S3 store spools blobs of unknown size before uploading them; the system temp folder by default.</summary>
    public string? SpoolFolder { get; set; }

    public bool Is(string kind) => string.Equals(Kind, kind, StringComparison.OrdinalIgnoreCase);

    // The secret never appears in logs or messages, so not in this either.
    public override string ToString() => Kind == "s3" ? $"s3 {(S3Secure ? "https" : "http")}://{S3Endpoint}/{S3Bucket}" : $"folder {Root}";
}
