using Mirror.Storage.Blobs;

namespace Mirror.UnitTests.Blobs;

public class S3PresignerTests
{
    // s3rver does not check SigV4 signatures, so the signer is checked against the example in AWS's S3 documentation.
    [Fact]
    public void Signs_the_documented_aws_example()
    {
        var presigner = new S3Presigner(new Uri("https://examplebucket.s3.amazonaws.com"), "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
        var url = presigner.Presign("GET", "/test.txt", TimeSpan.FromDays(1), new DateTimeOffset(2013, 5, 24, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            url.AbsoluteUri);
    }
}
