using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mirror.TestKit;

public static class JsonText
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON with quotes written as \" (the way the server writes them), for comparing whole bodies.</summary>
    public static string Text(this JsonNode node) => node.ToJsonString(Relaxed);
}
