using Mirror.Oci.Upstream;

namespace Mirror.UnitTests.Oci;

/// <summary>Docker Hub's pull-limit headers, as <see cref="PullLimit.Of"/> reads them from an answer.</summary>
public class PullLimitTests
{
    private static HttpResponseMessage Answer(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    [Fact]
    public void Docker_hubs_headers_give_the_limit_what_is_left_and_the_window()
    {
        using var answer = Answer(("RateLimit-Limit", "100;w=21600"), ("RateLimit-Remaining", "76;w=21600"));

        Assert.Equal(new PullLimit(100, 76, TimeSpan.FromHours(6)), PullLimit.Of(answer));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("100;w=21600", null)]
    [InlineData("100", "76")]
    [InlineData("lots;w=60", "76;w=60")]
    [InlineData("100;w=0", "76;w=0")]
    public void An_answer_without_both_counts_and_a_window_states_no_limit(string? limit, string? remaining)
    {
        var headers = new List<(string, string)>();
        if (limit is not null) headers.Add(("RateLimit-Limit", limit));
        if (remaining is not null) headers.Add(("RateLimit-Remaining", remaining));
        using var answer = Answer([.. headers]);

        Assert.Null(PullLimit.Of(answer));
    }

    [Fact]
    public void A_window_given_on_one_header_only_serves_both()
    {
        using var answer = Answer(("RateLimit-Limit", "10"), ("RateLimit-Remaining", "0;w=3"));

        Assert.Equal(new PullLimit(10, 0, TimeSpan.FromSeconds(3)), PullLimit.Of(answer));
    }
}
