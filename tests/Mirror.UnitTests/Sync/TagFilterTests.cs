using Mirror.Grains.Sync;
using Mirror.Remotes;

namespace Mirror.UnitTests.Sync;

/// <summary>pulp_container's own filter cases, on the tags of its test fixture.</summary>
public sealed class TagFilterTests
{
    private static readonly string[] FixtureTags =
        ["manifest_a", "manifest_b", "manifest_c", "manifest_d", "manifest_e", "ml_i", "ml_ii", "ml_iii", "ml_iv", "latest"];

    private static string[] Filter(List<string>? includes, List<string>? excludes = null) =>
        TagFilter.For(new RemoteSettings { Name = "r", Url = "http://u", UpstreamName = "n", Includes = includes, Excludes = excludes })
            .Apply(FixtureTags).ToArray();

    [Fact]
    public void No_filters_take_every_tag() => Assert.Equal(FixtureTags, Filter(null));

    [Fact]
    public void Question_marks_match_one_character() => Assert.Equal(["ml_ii", "ml_iv"], Filter(["ml_??"]));

    [Fact]
    public void A_star_matches_any_rest_and_an_include_that_matches_nothing_adds_nothing() =>
        Assert.Equal(["manifest_a", "manifest_b", "manifest_c", "manifest_d", "manifest_e"], Filter(["manifest*", "no_such_tag"]));

    [Fact]
    public void Excludes_apply_after_includes() =>
        Assert.Equal(["manifest_a", "manifest_c", "manifest_e"], Filter(["manifest_*"], ["*_[bd]"]));

    [Fact]
    public void Negated_sets_and_literal_brackets_follow_fnmatch()
    {
        Assert.Equal(["manifest_b", "manifest_d"], Filter(["manifest_[!ace]"]));
        Assert.Matches(TagFilter.Glob("v[1"), "v[1");
        Assert.DoesNotMatch(TagFilter.Glob("Latest"), "latest");
        Assert.Matches(TagFilter.Glob("a.b+c"), "a.b+c");
        Assert.DoesNotMatch(TagFilter.Glob("a.b"), "axb");
    }

    [Fact]
    public void Digests_in_includes_are_synced_untagged_and_select_no_tag()
    {
        const string digest = "sha256:0000000000000000000000000000000000000000000000000000000000000001";
        var filter = TagFilter.For(new RemoteSettings { Name = "r", Url = "http://u", UpstreamName = "n", Includes = [digest] });

        Assert.Equal([digest], filter.Digests);
        Assert.Empty(filter.Apply(FixtureTags));
        Assert.Equal(["latest"], Filter([digest, "lat*"]));
    }
}
