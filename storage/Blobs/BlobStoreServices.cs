using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mirror.Storage.Blobs;

public static class BlobStoreServices
{
    /// <summary>Registers the one <see cref="IBlobStore"/> that configuration section <c>Mirror:Blobs</c> describes, checked when the host starts, metered.</summary>
    public static IServiceCollection AddMirrorBlobStore(this IServiceCollection services)
    {
        services.AddOptions<BlobStoreSettings>().BindConfiguration(BlobStoreSettings.Section)
            .Validate(s => s.Is("folder") || s.Is("s3"), "Mirror:Blobs:Kind must be 'folder' or 's3'")
            .Validate(s => !s.Is("folder") || !string.IsNullOrWhiteSpace(s.Root), "Mirror:Blobs:Root is not set for the folder blob store")
            .Validate(s => !s.Is("s3") || !string.IsNullOrWhiteSpace(s.S3Endpoint), "Mirror:Blobs:S3Endpoint is not set for the s3 blob store")
            .Validate(s => !s.Is("s3") || (!string.IsNullOrEmpty(s.S3AccessKey) && !string.IsNullOrEmpty(s.S3SecretKey)),
                "Mirror:Blobs:S3AccessKey and Mirror:Blobs:S3SecretKey are required for the s3 blob store")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BlobStoreSettings>>().Value);
        return services.AddSingleton<IBlobStore>(sp => new MeteredBlobStore(Create(sp.GetRequiredService<BlobStoreSettings>())));
    }

    public static IBlobStore Create(BlobStoreSettings settings) => settings.Kind.ToLowerInvariant() switch
    {
        "folder" => new FolderBlobStore(settings.Root ?? throw new InvalidOperationException("Mirror:Blobs:Root is not set for the folder blob store")),
        "s3" => new S3BlobStore(settings),
        _ => throw new InvalidOperationException($"Mirror:Blobs:Kind is '{settings.Kind}'; expected 'folder' or 's3'"),
    };
}
