using System.Buffers.Binary;
using System.Text;

namespace Mirror.TestKit.Otlp;

/// <summary>
/// Reads OTLP's <c>ExportTraceServiceRequest</c> (opentelemetry-proto, trace/v1) from protobuf's wire format: only the fields a test
/// looks at (resource attributes, scope name, ids, name, string attributes). Unknown fields are skipped by their wire type.
/// </summary>
internal static class OtlpTraces
{
    public static IEnumerable<ReceivedSpan> Parse(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1).Select(f => f.Bytes))
        {
            var resource = Fields(resourceSpans).Where(f => f.Number == 1).Select(f => Attributes(f.Bytes, 1)).FirstOrDefault() ?? [];
            var service = resource.GetValueOrDefault("service.name", "");
            var instance = resource.GetValueOrDefault("service.instance.id", "");
            foreach (var scopeSpans in Fields(resourceSpans).Where(f => f.Number == 2).Select(f => f.Bytes))
            {
                var scope = Fields(scopeSpans).Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).FirstOrDefault(s => s.Number == 1).Bytes)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans).Where(f => f.Number == 2).Select(f => f.Bytes))
                {
                    var fields = Fields(span).ToList();
                    ReadOnlyMemory<byte> Field(int number) => fields.FirstOrDefault(f => f.Number == number).Bytes;
                    yield return new ReceivedSpan(Convert.ToHexStringLower(Field(1).Span), Convert.ToHexStringLower(Field(2).Span), Convert.ToHexStringLower(Field(4).Span),
                        Text(Field(5)), scope, service, instance, Attributes(span, 9));
                }
            }
        }
    }

    /// <summary>The string (and integer) values of the repeated <c>KeyValue</c> field <paramref name="number"/> of a message.</summary>
    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, int number)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message).Where(f => f.Number == number).Select(f => f.Bytes))
        {
            var parts = Fields(keyValue).ToList();
            var key = Text(parts.FirstOrDefault(p => p.Number == 1).Bytes);
            var value = Fields(parts.FirstOrDefault(p => p.Number == 2).Bytes).FirstOrDefault();
            attributes[key] = value.Number switch
            {
                1 => Text(value.Bytes),                                // string_value
                3 => value.Varint.ToString(System.Globalization.CultureInfo.InvariantCulture), // int_value
                2 => (value.Varint != 0).ToString(),                   // bool_value
                _ => "",
            };
        }
        return attributes;
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private readonly record struct Field(int Number, ReadOnlyMemory<byte> Bytes, ulong Varint);

    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message.Span, ref position);
            var (number, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    yield return new Field(number, default, ReadVarint(message.Span, ref position));
                    break;
                case 1:
                    yield return new Field(number, message.Slice(position, 8), BinaryPrimitives.ReadUInt64LittleEndian(message.Span.Slice(position, 8)));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return new Field(number, message.Slice(position, length), 0);
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, message.Slice(position, 4), BinaryPrimitives.ReadUInt32LittleEndian(message.Span.Slice(position, 4)));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wireType} in an OTLP request");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }
}
