using System.Globalization;

namespace Mirror.TestKit;

/// <summary>Memory figures of a process from <c>/proc/&lt;pid&gt;/status</c>, for the bench and the memory tests.</summary>
public static class ProcStatus
{
    /// <summary>A "Name:   123 kB" line (<c>VmRSS:</c>, <c>VmHWM:</c>), in bytes; 0 once the process is gone.</summary>
    public static long Bytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }

    /// <summary>Resident bytes now.</summary>
    public static long Rss(int pid) => Bytes(pid, "VmRSS:");
}
