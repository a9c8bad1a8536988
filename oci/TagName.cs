using System.Text.RegularExpressions;

namespace Mirror.Oci;

/// <summary>The distribution spec's tag grammar, <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>: anything else is not a tag.</summary>
public static partial class TagName
{
    public const int MaxLength = 128;

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$")]
    private static partial Regex Grammar();

    public static bool IsValid(string? tag) => tag is not null && Grammar().IsMatch(tag);
}
