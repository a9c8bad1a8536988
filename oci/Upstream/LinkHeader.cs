namespace Mirror.Oci.Upstream;

/// <summary>
/// The next page of a paginated listing, from <c>Link: &lt;/v2/x/tags/list?last=a&amp;n=100&gt;; rel="next"</c>.
/// Registries write the target relative or absolute (some with an internal host name), so only its path and
/// query are kept and joined with the remote's URL.
/// </summary>
public static class LinkHeader
{
    public static Uri? Next(HttpResponseMessage response, Uri baseUrl)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        foreach (var header in values)
            foreach (var link in header.Split(','))
            {
                var open = link.IndexOf('<');
                var close = link.IndexOf('>', open + 1);
                if (open < 0 || close < 0) continue;
                var attributes = link[(close + 1)..];
                if (!attributes.Split(';').Any(a => a.Trim().Replace(" ", "") is "rel=\"next\"" or "rel=next")) continue;
                var target = link[(open + 1)..close].Trim();
                var pathAndQuery = Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
                    ? absolute.PathAndQuery
                    : target;
                if (!pathAndQuery.StartsWith('/')) pathAndQuery = "/" + pathAndQuery;
                return new Uri(baseUrl, pathAndQuery);
            }
        return null;
    }
}
