using System.Text;
using System.Text.RegularExpressions;
using Mirror.Remotes;

namespace Mirror.Grains.Sync;

/// <summary>
/// Which upstream references a sync takes, as pulp_container decides it: tags matching any
/// <c>includes</c> glob (every tag when there are none), minus those matching an <c>excludes</c>
/// glob; <c>sha256:</c> entries of <c>includes</c> are digests to sync without a tag.
/// Globs follow Python's case-sensitive <c>fnmatch</c>: <c>*</c>, <c>?</c>, <c>[seq]</c>, <c>[!seq]</c>.
/// </summary>
public sealed class TagFilter
{
    private readonly IReadOnlyList<Regex>? _includes;
    private readonly IReadOnlyList<Regex> _excludes;

    private TagFilter(IReadOnlyList<Regex>? includes, IReadOnlyList<Regex> excludes, IReadOnlyList<string> digests)
    {
        _includes = includes;
        _excludes = excludes;
        Digests = digests;
    }

    /// <summary>Manifest digests named in <c>includes</c>, synced by digest and left untagged.</summary>
    public IReadOnlyList<string> Digests { get; }

    public static TagFilter For(RemoteSettings remote)
    {
        var includes = remote.Includes ?? [];
        var digests = includes.Where(IsDigest).Distinct().ToList();
        var tagPatterns = includes.Where(i => !IsDigest(i)).Select(Glob).ToList();
        // Includes that name only digests select no tags at all; no includes select every tag.
        return new TagFilter(includes.Count == 0 ? null : tagPatterns, (remote.Excludes ?? []).Select(Glob).ToList(), digests);
    }

    public bool Accepts(string tag) =>
        (_includes is null || _includes.Any(p => p.IsMatch(tag))) && !_excludes.Any(p => p.IsMatch(tag));

    public IEnumerable<string> Apply(IEnumerable<string> tags) => tags.Where(Accepts);

    private static bool IsDigest(string entry) => entry.StartsWith("sha256:", StringComparison.Ordinal);

    /// <summary>A glob as an anchored regular expression, translated the way fnmatch does.</summary>
    public static Regex Glob(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var close = ClosingBracket(pattern, i);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..close];
                    var negate = set.StartsWith('!');
                    if (negate) set = set[1..];
                    regex.Append(negate ? "[^" : "[").Append(set.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    // fnmatch: a ']' right after '[' or '[!' belongs to the set; no closing bracket makes '[' literal.
    private static int ClosingBracket(string pattern, int open)
    {
        var j = open + 1;
        if (j < pattern.Length && pattern[j] == '!') j++;
        if (j < pattern.Length && pattern[j] == ']') j++;
        return pattern.IndexOf(']', j);
    }
}
