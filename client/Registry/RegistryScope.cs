namespace Mirror.Gateway.Registry;

/// <summary>One scope of the token spec, <c>type:name:actions</c>, e.g. <c>repository:library/busybox:pull</c> or <c>registry:catalog:*</c>.</summary>
public sealed record RegistryScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    public static RegistryScope Pull(string name) => new("repository", name, ["pull"]);
    public static RegistryScope Push(string name) => new("repository", name, ["pull", "push"]);
    public static readonly RegistryScope Catalog = new("registry", "catalog", ["*"]);

    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";

    /// <summary>Every scope in the <c>scope</c> parameters: each may hold several, space-separated. Malformed ones are skipped.</summary>
    public static List<RegistryScope> ParseAll(IEnumerable<string?> values)
    {
        var scopes = new List<RegistryScope>();
        foreach (var text in values.SelectMany(v => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            // The name may hold ':' (a host:port prefix), so type is before the first and actions after the last.
            var first = text.IndexOf(':');
            var last = text.LastIndexOf(':');
            if (first <= 0 || last == first) continue;
            scopes.Add(new RegistryScope(text[..first], text[(first + 1)..last], text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
        return scopes;
    }

    public bool Covers(RegistryScope wanted) =>
        Type == wanted.Type && Name == wanted.Name && wanted.Actions.All(a => Actions.Contains(a) || Actions.Contains("*"));
}
