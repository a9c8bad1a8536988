using System.Text.Json;

namespace Mirror.Storage.Catalog;

/// <summary>How records are written into the catalog's <c>doc</c> column.</summary>
public static class CatalogJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
