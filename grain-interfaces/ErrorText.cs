using System.Text.RegularExpressions;

namespace Mirror;

/// <summary>
/// The text of an error as clients see it (a task's <c>error.description</c>): .NET's file-system errors quote the path
/// they failed on ("Could not find a part of the path '/var/lib/mirror/blobs/…'"), which tells a client where the server
/// keeps its data. Quoted absolute paths become <c>'…'</c>; the rest of the message (which operation, which digest, which
/// upstream URL) stays. The log keeps the whole exception.
/// </summary>
public static partial class ErrorText
{
    public static string Of(Exception e) => Scrub(e.Message);

    public static string Scrub(string message) => QuotedPath().Replace(message, "'…'");

    // A quoted string starting with '/' or a drive letter, as IOException and UnauthorizedAccessException write paths.
    [GeneratedRegex(@"'(?:/|[A-Za-z]:\\)[^']*'")]
    private static partial Regex QuotedPath();
}
