using System.Security.Cryptography;
using System.Text;
using Mirror.Storage.Secrets;

namespace Mirror.UnitTests.Secrets;

public sealed class SecretBoxTests
{
    private static readonly byte[] Old = RandomNumberGenerator.GetBytes(32), New = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_sealed_value_opens_to_what_was_sealed_and_shows_nothing_of_it()
    {
        var box = new SecretBox(New, []);
        var plain = Encoding.UTF8.GetBytes("password-1234567890");
        var sealedValue = box.Seal(plain);
        Assert.True(SecretBox.IsSealed(sealedValue));
        Assert.True(box.IsCurrent(sealedValue));
        Assert.Equal(plain, box.Open(sealedValue));
        Assert.DoesNotContain("password", Encoding.Latin1.GetString(sealedValue), StringComparison.Ordinal);
        Assert.NotEqual(sealedValue, box.Seal(plain)); // a fresh nonce each time
    }

    [Fact]
    public void During_a_rotation_values_of_the_previous_key_open_and_are_not_current()
    {
        var before = new SecretBox(Old, []).Seal("x"u8);
        var rotating = new SecretBox(New, [Old]);
        Assert.Equal("x"u8.ToArray(), rotating.Open(before));
        Assert.False(rotating.IsCurrent(before));
        Assert.Throws<CryptographicException>(() => new SecretBox(New, []).Open(before));
    }

    [Fact]
    public void An_altered_value_or_header_does_not_open()
    {
        var box = new SecretBox(New, [Old]);
        var sealedValue = box.Seal("secret"u8);
        foreach (var at in new[] { 9, 13, sealedValue.Length - 1 })
        {
            var altered = (byte[])sealedValue.Clone();
            altered[at] ^= 1;
            Assert.ThrowsAny<CryptographicException>(() => box.Open(altered));
        }
    }

    [Fact]
    public void Text_is_sealed_as_text_and_text_stored_in_the_clear_reads_as_it_is()
    {
        var box = new SecretBox(New, []);
        var sealedText = box.SealText("-----BEGIN PRIVATE KEY-----");
        Assert.StartsWith("sealed:v1:", sealedText);
        Assert.True(box.IsCurrentText(sealedText));
        Assert.Equal("-----BEGIN PRIVATE KEY-----", box.OpenText(sealedText));
        Assert.Equal("legacy", box.OpenText("legacy"));
        Assert.False(box.IsCurrentText("legacy"));
        Assert.True(SecretBox.IsKey(SecretBox.NewKey()));
        Assert.False(SecretBox.IsKey("c2hvcnQ="));
    }
}
