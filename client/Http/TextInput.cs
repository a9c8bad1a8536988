using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Http;

/// <summary>
/// Text PostgreSQL cannot store, refused at the door with the field or parameter named: a NUL character (Django REST
/// framework's own message) or a lone UTF-16 surrogate (no character at all). Nothing is written for such a request.
/// </summary>
public static class TextInput
{
    public const string NullCharacters = "Null characters are not allowed.";
    public const string LoneSurrogate = "Enter valid text: a lone UTF-16 surrogate is not a character.";

    /// <summary>Every string in the body, at any depth, under the top-level field it belongs to.</summary>
    public static void ThrowIfInvalid(JsonObject body)
    {
        var errors = new Dictionary<string, List<string>>();
        foreach (var (field, value) in body)
            if ((Fault(field) ?? Fault(value)) is { } fault) errors[Printable(field)] = [fault];
        if (errors.Count > 0) throw ApiError.Fields(errors);
    }

    /// <summary>Query parameters, for every endpoint (the Pulp API and the registry, each in its own error shape).</summary>
    public static async Task Guard(HttpContext context, RequestDelegate next)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            var fault = Fault(name) ?? values.Select(v => v is null ? null : Fault(v)).FirstOrDefault(f => f is not null);
            if (fault is null) continue;
            if (context.Request.Path.StartsWithSegments("/v2"))
                throw new RegistryError(400, "UNSUPPORTED", fault, new JsonObject { ["parameter"] = Printable(name) });
            throw ApiError.Field(Printable(name), fault);
        }
        await next(context);
    }

    private static string? Fault(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                return o.Select(p => Fault(p.Key) ?? Fault(p.Value)).FirstOrDefault(f => f is not null);
            case JsonArray a:
                return a.Select(Fault).FirstOrDefault(f => f is not null);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                try
                {
                    return Fault(v.GetValue<string>());
                }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate ("\ud800") cannot even be read as a string.
                    return LoneSurrogate;
                }
            default:
                return null;
        }
    }

    private static string? Fault(string text)
    {
        if (text.Contains('\0')) return NullCharacters;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return LoneSurrogate;
        }
        return null;
    }

    // The name as an error may carry it: the offending characters replaced.
    private static string Printable(string name)
    {
        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsHighSurrogate(name[i]) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1])) builder.Append(name, i++, 2);
            else builder.Append(name[i] == '\0' || char.IsSurrogate(name[i]) ? '\uFFFD' : name[i]);
        }
        return builder.ToString();
    }
}
