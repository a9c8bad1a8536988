using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mirror.Oci;

namespace Mirror.TestKit;

/// <summary>
/// Builds images deterministically from a seed: the same seed and names give byte-identical layers, configs
/// and manifests (so digests are stable across runs). Layers are real gzip'ed tars of random (incompressible)
/// files, so their compressed size is about the content size.
/// </summary>
public sealed class ImageFactory(int seed)
{
    /// <summary>Every tar entry gets this time, so layers do not depend on when they were built.</summary>
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public int Seed { get; } = seed;

    /// <summary>A layer of <paramref name="files"/> files of <paramref name="fileBytes"/> random bytes each; <paramref name="name"/> picks the content.</summary>
    public TestLayer Layer(string name, ImageFormat format, int fileBytes = 1024, int files = 1)
    {
        var random = new Random(StableSeed(name));
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var content = new byte[fileBytes];
            for (var i = 0; i < files; i++)
            {
                random.NextBytes(content);
                var entry = new UstarTarEntry(TarEntryType.RegularFile, $"{name}/file-{i:D3}.bin")
                {
                    ModificationTime = Epoch,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(content, writable: false),
                };
                writer.WriteEntry(entry);
            }
        }
        var uncompressed = tar.ToArray();
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(uncompressed);
        var mediaType = format == ImageFormat.Docker ? DockerLayer : OciLayer;
        return new TestLayer(new TestBlob(mediaType, gzipped.ToArray()), Digests.Sha256(uncompressed));
    }

    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>An image of the given layers (base first). <paramref name="name"/> goes into the config, so images sharing layers still differ.</summary>
    public TestImage Image(string name, ImageFormat format, IReadOnlyList<TestLayer> layers, TestPlatform? platform = null)
    {
        platform ??= new TestPlatform("amd64");
        var config = new TestBlob(format == ImageFormat.Docker ? MediaTypes.DockerConfig : MediaTypes.OciConfig, ConfigJson(name, layers, platform));
        var mediaType = format == ImageFormat.Docker ? MediaTypes.DockerManifestV2 : MediaTypes.OciManifest;
        var manifest = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", mediaType);
            w.WritePropertyName("config");
            WriteDescriptor(w, config.MediaType, config.Size, config.Digest);
            w.WriteStartArray("layers");
            foreach (var layer in layers) WriteDescriptor(w, layer.Blob.MediaType, layer.Blob.Size, layer.Blob.Digest);
            w.WriteEndArray();
        });
        return new TestImage(mediaType, manifest, config, layers, platform);
    }

    /// <summary>A Docker manifest list or OCI index over images, each entry with its platform.</summary>
    public TestImageList List(ImageFormat format, IReadOnlyList<TestImage> images)
    {
        var mediaType = format == ImageFormat.Docker ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var bytes = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", mediaType);
            w.WriteStartArray("manifests");
            foreach (var image in images)
            {
                WriteDescriptor(w, image.MediaType, image.Size, image.Digest, writeEnd: false);
                w.WriteStartObject("platform");
                w.WriteString("architecture", image.Platform.Architecture);
                w.WriteString("os", image.Platform.Os);
                if (image.Platform.Variant is { } variant) w.WriteString("variant", variant);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return new TestImageList(mediaType, bytes, images);
    }

    private byte[] ConfigJson(string name, IReadOnlyList<TestLayer> layers, TestPlatform platform) => Json(w =>
    {
        w.WriteString("architecture", platform.Architecture);
        w.WriteString("os", platform.Os);
        if (platform.Variant is { } variant) w.WriteString("variant", variant);
        w.WriteString("created", Epoch.ToString("yyyy-MM-ddTHH:mm:ssZ"));
        w.WriteStartObject("config");
        w.WriteStartArray("Env");
        w.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        w.WriteEndArray();
        w.WriteStartArray("Cmd");
        w.WriteStringValue("/bin/sh");
        w.WriteEndArray();
        w.WriteStartObject("Labels");
        w.WriteString("org.example.test-image", name);
        w.WriteString("org.example.seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var layer in layers) w.WriteStringValue(layer.DiffId);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("history");
        foreach (var layer in layers)
        {
            w.WriteStartObject();
            w.WriteString("created", Epoch.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            w.WriteString("created_by", "test-kit layer " + layer.DiffId[7..19]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private static void WriteDescriptor(Utf8JsonWriter w, string mediaType, long size, string digest, bool writeEnd = true)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteNumber("size", size);
        w.WriteString("digest", digest);
        if (writeEnd) w.WriteEndObject();
    }

    /// <summary>Indented like the manifests docker and buildah write; the exact bytes are kept, so any layout would do.</summary>
    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>A seed for one name under this factory's seed; string.GetHashCode is randomised per process, so hash it ourselves.</summary>
    private int StableSeed(string name) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{Seed}/{name}")), 0);
}
