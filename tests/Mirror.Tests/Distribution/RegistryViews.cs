using System.Text.Json;

namespace Mirror.Tests.Distribution;

/// <summary>Typed views of the registry API's JSON (the distribution spec's and the token server's names, in snake case).</summary>
public static class RegistryViews
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true };

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"not a {typeof(T).Name}: {json}");

    public static T Read<T>(byte[] utf8) => JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new JsonException($"not a {typeof(T).Name}");

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response) => Read<T>(await response.Content.ReadAsStringAsync());
}

/// <summary>One error of <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
public sealed record RegistryErrorView(string Code, string? Message, Dictionary<string, JsonElement>? Detail)
{
    public string? DetailOf(string key) => Detail is not null && Detail.TryGetValue(key, out var value) ? value.ToString() : null;
}

public sealed record RegistryErrorsView(List<RegistryErrorView> Errors);

/// <summary><c>/token/</c>'s answer.</summary>
public sealed record TokenView(string Token, string AccessToken, int ExpiresIn, string? IssuedAt);

/// <summary>A JWT's header and the claims the tests read.</summary>
public sealed record JwtHeaderView(string Alg, string Kid);

public sealed record JwtClaimsView(string Aud, string? Sub = null);

/// <summary><c>/v2/&lt;name&gt;/tags/list</c>.</summary>
public sealed record TagListView(string Name, List<string> Tags);

/// <summary><c>/v2/_catalog</c>.</summary>
public sealed record CatalogView(List<string> Repositories);

/// <summary>An OCI image layout's <c>index.json</c> (what skopeo copies to), with the digests of its manifests.</summary>
public sealed record OciIndexView(List<OciDescriptorView> Manifests);

public sealed record OciDescriptorView(string Digest, string? MediaType);

/// <summary><c>skopeo list-tags</c>'s answer.</summary>
public sealed record SkopeoTagsView(string Repository, List<string> Tags);
