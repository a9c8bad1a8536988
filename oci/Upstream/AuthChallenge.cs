namespace Mirror.Oci.Upstream;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge: the scheme (<c>Bearer</c>, <c>Basic</c>) and its parameters,
/// e.g. <c>Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"</c>.
/// Parameter values may be quoted and then contain commas (a scope with <c>pull,push</c>), so this is a small scanner, not a split.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads one header value holding a single challenge; null when it has no scheme.</summary>
    public static AuthChallenge? Parse(string header)
    {
        var text = header.Trim();
        var space = text.IndexOf(' ');
        var scheme = space < 0 ? text : text[..space];
        if (scheme.Length == 0) return null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = space < 0 ? text.Length : space + 1;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ',')) i++;
            var eq = text.IndexOf('=', i);
            if (eq < 0) break;
            var name = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var sb = new System.Text.StringBuilder();
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    sb.Append(text[i]);
                }
                i++; // the closing quote
                value = sb.ToString();
            }
            else
            {
                var end = text.IndexOf(',', i);
                if (end < 0) end = text.Length;
                value = text[i..end].Trim();
                i = end;
            }
            if (name.Length > 0) parameters[name] = value;
        }
        return new AuthChallenge(scheme, parameters);
    }

    /// <summary>The challenges of a 401 response, Bearer first: a registry offering both is better served with a token.</summary>
    public static IReadOnlyList<AuthChallenge> From(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate
            .Select(h => Parse(h.ToString()))
            .OfType<AuthChallenge>()
            .OrderBy(c => c.IsBearer ? 0 : 1)
            .ToList();
}
