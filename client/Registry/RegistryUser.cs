using Mirror.Oci;

namespace Mirror.Gateway.Registry;

/// <summary>
/// A registry user besides the admin (<c>Mirror:Users</c>): who may push to, and pull private distributions from, the
/// repository names under some prefixes. Registry-only: the Pulp API knows the admin alone. Public distributions are pulled by
/// anyone, so <see cref="Pull"/> matters for private ones; push implies pull, as Pulp grants it.
/// </summary>
public sealed class RegistryUser
{
    public string Username { get; set; } = "";

    /// <summary>Never logged nor shown: compared in constant time with what a client sends.</summary>
    public string Password { get; set; } = "";

    /// <summary>Name prefixes this user may push to: <c>team</c> is <c>team</c> and every name under <c>team/</c>; <c>*</c> is every name.</summary>
    public List<string> Push { get; set; } = [];

    /// <summary>Name prefixes whose private distributions this user may pull (as <see cref="Push"/>).</summary>
    public List<string> Pull { get; set; } = [];

    public bool MayPush(string name) => Push.Any(p => Matches(p, name));

    public bool MayPull(string name) => MayPush(name) || Pull.Any(p => Matches(p, name));

    private static bool Matches(string prefix, string name)
    {
        if (prefix == "*") return true;
        var trimmed = prefix.TrimEnd('/');
        return name == trimmed || name.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    /// <summary>What is wrong with the user at <paramref name="key"/> (<c>Mirror:Users:0</c>), naming keys, never the password.</summary>
    public IEnumerable<string> Problems(string key, string adminUsername)
    {
        if (string.IsNullOrWhiteSpace(Username) || Username.Contains(':')) yield return $"{key}:Username is empty or holds ':'";
        else if (Username == adminUsername) yield return $"{key}:Username is the admin's";
        if (Password.Length == 0) yield return $"{key}:Password is not set";
        if (Push.Count == 0 && Pull.Count == 0) yield return $"{key} may neither push nor pull: give it Push or Pull prefixes";
        foreach (var (list, field) in new[] { (Push, nameof(Push)), (Pull, nameof(Pull)) })
            for (var i = 0; i < list.Count; i++)
                if (list[i] != "*" && !RepositoryName.IsValid(list[i].TrimEnd('/')))
                    yield return $"{key}:{field}:{i} is '{list[i]}': not a repository name prefix (e.g. team or team/app) nor *";
    }
}
