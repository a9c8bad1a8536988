using System.Text.Json.Nodes;
using Mirror.Gateway.Api.OpenApi;
using Mirror.Gateway.Http;
using Mirror.Storage.Content;

namespace Mirror.Gateway.Api.Content;

/// <summary>Blobs, manifests, tags and signatures in pulp_container's shapes.</summary>
public static class ContentJson
{
    public static JsonObject Render(BlobRecord blob) => Common(Hrefs.Blob(blob.Id), Hrefs.BlobPrn(blob.Id), blob.Created, new JsonObject
    {
        ["digest"] = blob.Digest,
        // As in Pulp: null while only known (an on_demand layer not pulled yet, or reclaimed), the stored bytes' artifact once fetched.
        ["artifact"] = blob.Stored ? Hrefs.Artifact(blob.Id) : null,
    });

    /// <summary>A stored blob's bytes as pulpcore shows an artifact; only SHA-256 is computed, the other checksums are null.</summary>
    public static JsonObject RenderArtifact(BlobRecord blob) => new()
    {
        ["pulp_href"] = Hrefs.Artifact(blob.Id),
        ["prn"] = Hrefs.ArtifactPrn(blob.Id),
        ["pulp_created"] = PulpJson.Timestamp(blob.Created),
        ["pulp_last_updated"] = PulpJson.Timestamp(blob.Created),
        ["file"] = $"artifact/{blob.Digest[7..9]}/{blob.Digest[9..]}",
        ["size"] = blob.Size,
        ["md5"] = null,
        ["sha1"] = null,
        ["sha224"] = null,
        ["sha256"] = blob.Digest[7..],
        ["sha384"] = null,
        ["sha512"] = null,
    };

    public static JsonObject ArtifactSchema() => Schema.Object([
        ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()), ("pulp_created", Schema.DateTime().ReadOnly()),
        ("pulp_last_updated", Schema.DateTime().ReadOnly()), ("file", Schema.String()), ("size", Schema.Integer()),
        ("md5", Schema.String().Nullable()), ("sha1", Schema.String().Nullable()), ("sha224", Schema.String().Nullable()),
        ("sha256", Schema.String().Nullable()), ("sha384", Schema.String().Nullable()), ("sha512", Schema.String().Nullable())], ["file"]);

    public static JsonObject Render(ManifestRecord manifest) => Common(Hrefs.Manifest(manifest.Id), Hrefs.ManifestPrn(manifest.Id), manifest.Created, new JsonObject
    {
        ["digest"] = manifest.Digest,
        ["schema_version"] = manifest.SchemaVersion,
        ["media_type"] = manifest.MediaType,
        ["listed_manifests"] = new JsonArray(manifest.ListedManifests.Select(id => (JsonNode?)Hrefs.Manifest(id)).ToArray()),
        ["config_blob"] = manifest.ConfigBlobId is { } config ? Hrefs.Blob(config) : null,
        ["blobs"] = new JsonArray(manifest.Blobs.Select(id => (JsonNode?)Hrefs.Blob(id)).ToArray()),
        ["annotations"] = Map(manifest.Annotations),
        ["labels"] = Map(manifest.Labels),
        ["is_bootable"] = manifest.Type == "bootable",
        ["is_flatpak"] = manifest.Type == "flatpak",
        ["type"] = manifest.Type,
        ["architecture"] = manifest.Architecture,
        ["os"] = manifest.Os,
        ["compressed_image_size"] = manifest.CompressedImageSize,
        ["artifact_type"] = manifest.ArtifactType,
    });

    public static JsonObject Render(TagRecord tag) => Common(Hrefs.Tag(tag.Id), Hrefs.TagPrn(tag.Id), tag.Created, new JsonObject
    {
        ["name"] = tag.Name,
        ["tagged_manifest"] = Hrefs.Manifest(tag.ManifestId),
    });

    public static JsonObject Render(SignatureRecord signature) => Common(Hrefs.Signature(signature.Id), Hrefs.SignaturePrn(signature.Id), signature.Created, new JsonObject
    {
        ["name"] = signature.Name,
        ["digest"] = signature.Digest,
        ["type"] = signature.Type,
        ["key_id"] = signature.KeyId,
        ["fingerprint"] = signature.Fingerprint,
        ["timestamp"] = signature.Timestamp,
        ["creator"] = signature.Creator,
        ["signed_manifest"] = Hrefs.Manifest(signature.ManifestId),
    });

    public static JsonObject BlobSchema() => CommonSchema(("digest", Schema.String()), ("artifact", Schema.Uri().Nullable()));

    public static JsonObject ManifestSchema() => CommonSchema(
        ("digest", Schema.String()), ("schema_version", Schema.Integer()), ("media_type", Schema.String()),
        ("listed_manifests", Schema.Array(Schema.Uri())), ("config_blob", Schema.Uri().Nullable()), ("blobs", Schema.Array(Schema.Uri())),
        ("annotations", Schema.Map(Schema.String())), ("labels", Schema.Map(Schema.String())),
        ("is_bootable", Schema.Boolean()), ("is_flatpak", Schema.Boolean()), ("type", Schema.String().Nullable()),
        ("architecture", Schema.String().Nullable()), ("os", Schema.String().Nullable()), ("compressed_image_size", Schema.Integer().Nullable()),
        ("artifact_type", Schema.String().Nullable()));

    public static JsonObject TagSchema() => CommonSchema(("name", Schema.String()), ("tagged_manifest", Schema.Uri()));

    public static JsonObject SignatureSchema() => CommonSchema(
        ("name", Schema.String()), ("digest", Schema.String()), ("type", Schema.String()), ("key_id", Schema.String()),
        ("fingerprint", Schema.String().Nullable()), ("timestamp", Schema.Integer()), ("creator", Schema.String().Nullable()), ("signed_manifest", Schema.Uri()));

    /// <summary>Any content in the generic list: the fields every type has, and its own.</summary>
    public static JsonObject AnySchema()
    {
        var schema = CommonSchema();
        schema["additionalProperties"] = true;
        return schema;
    }

    private static JsonObject CommonSchema(params (string, JsonObject)[] fields) => Schema.Object(
        new (string, JsonObject)[]
        {
            ("pulp_href", Schema.Uri().ReadOnly()), ("prn", Schema.String().ReadOnly()),
            ("pulp_created", Schema.DateTime().ReadOnly()), ("pulp_last_updated", Schema.DateTime().ReadOnly()),
            ("pulp_labels", Schema.Map(Schema.String().Nullable())),
        }.Concat(fields.Select(f => (f.Item1, f.Item2.ReadOnly()))));

    private static JsonObject Map(Dictionary<string, string> values) =>
        new(values.Select(v => KeyValuePair.Create<string, JsonNode?>(v.Key, v.Value)));

    private static JsonObject Common(string href, string prn, DateTime created, JsonObject fields)
    {
        var json = new JsonObject
        {
            ["pulp_href"] = href,
            ["prn"] = prn,
            ["pulp_created"] = PulpJson.Timestamp(created),
            ["pulp_last_updated"] = PulpJson.Timestamp(created),
            ["pulp_labels"] = new JsonObject(),
        };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            json[name] = value;
        }
        return json;
    }
}
