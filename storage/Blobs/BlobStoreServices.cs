using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mirror.Storage.Blobs;

public static class BlobStoreServices
{
    /// <summary>Registers the one <see cref="IBlobStore"/> that configuration section <c>Mirror:Blobs</c> describes.</summary>
    public static IServiceCollection AddMirrorBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = new BlobStoreSettings();
        configuration.GetSection(BlobStoreSettings.Section).Bind(settings);
        services.AddSingleton(settings);
        return services.AddSingleton<IBlobStore>(_ => Create(settings));
    }

    public static IBlobStore Create(BlobStoreSettings settings) => settings.Kind.ToLowerInvariant() switch
    {
        "folder" => new FolderBlobStore(settings.Root ?? throw new InvalidOperationException("Mirror:Blobs:Root is not set for the folder blob store")),
        "s3" => new S3BlobStore(settings),
        _ => throw new InvalidOperationException($"Mirror:Blobs:Kind is '{settings.Kind}'; expected 'folder' or 's3'"),
    };
}
