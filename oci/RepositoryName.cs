using System.Text.RegularExpressions;

namespace Mirror.Oci;

/// <summary>
/// The distribution spec's repository name grammar: '/'-separated components of lower-case letters and digits joined
/// by '.', '_', '__' or dashes. Base paths are held to it, so a name outside it can never be served.
/// </summary>
public static partial class RepositoryName
{
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9])*$")]
    private static partial Regex Component();

    public static bool IsValidComponent(string component) => Component().IsMatch(component);

    public static bool IsValid(string name) => name.Length is > 0 and <= 255 && name.Split('/').All(IsValidComponent);
}
