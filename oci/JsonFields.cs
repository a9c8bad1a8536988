using System.Text.Json;

namespace Mirror.Oci;

/// <summary>Reads the fields of a manifest's JSON, naming the path of whatever is missing or of the wrong kind.</summary>
internal static class JsonFields
{
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static JsonElement Required(JsonElement obj, string name, string path) =>
        Optional(obj, name) ?? throw new InvalidManifestException($"{path}.{name} is missing");

    public static string RequiredString(JsonElement obj, string name, string path)
    {
        var value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new InvalidManifestException($"{path}.{name} is not a string");
    }

    public static string? OptionalString(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new InvalidManifestException($"{path}.{name} is not a string"),
    };

    public static JsonElement RequiredArray(JsonElement obj, string name, string path)
    {
        var value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.Array ? value : throw new InvalidManifestException($"{path}.{name} is not an array");
    }

    public static JsonElement? OptionalArray(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Array } value => value,
        _ => throw new InvalidManifestException($"{path}.{name} is not an array"),
    };

    public static IReadOnlyList<string>? OptionalStrings(JsonElement obj, string name, string path)
    {
        if (OptionalArray(obj, name, path) is not { } array) return null;
        var list = new List<string>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new InvalidManifestException($"{path}.{name}[{i}] is not a string"));
            i++;
        }
        return list;
    }

    /// <summary>A string-to-string map such as annotations or labels; values of other kinds are skipped rather than fatal, as clients ignore them too.</summary>
    public static IReadOnlyDictionary<string, string> StringMap(JsonElement obj, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Optional(obj, name) is { ValueKind: JsonValueKind.Object } value)
            foreach (var property in value.EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.String) map[property.Name] = property.Value.GetString()!;
        return map;
    }

    public static JsonElement RequiredObject(JsonElement obj, string name, string path)
    {
        var value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.Object ? value : throw new InvalidManifestException($"{path}.{name} is not an object");
    }

    public static JsonElement? OptionalObject(JsonElement obj, string name, string path) => Optional(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } value => value,
        _ => throw new InvalidManifestException($"{path}.{name} is not an object"),
    };

    public static Descriptor Descriptor(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new InvalidManifestException($"{path} is not an object");
        var mediaType = RequiredString(obj, "mediaType", path);
        var digest = RequiredString(obj, "digest", path);
        if (!Digests.IsValid(digest)) throw new InvalidManifestException($"{path}.digest is not a sha256 digest: '{digest}'");
        var size = Required(obj, "size", path);
        if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var bytes) || bytes < 0)
            throw new InvalidManifestException($"{path}.size is not a non-negative integer: {size.GetRawText()}");
        return new Descriptor(mediaType, digest, bytes, OptionalStrings(obj, "urls", path));
    }
}
