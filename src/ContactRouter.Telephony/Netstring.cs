using System.Globalization;
using System.Text;

namespace ContactRouter.Telephony;

/// <summary>
/// Netstrings (<c>12:hello world!,</c>): how Kamailio's evapi module frames its messages on the TCP link, both ways
/// (modparam netstring_format 1). A length in ASCII digits, a colon, that many bytes of UTF-8, a comma.
/// </summary>
public static class Netstring
{
    /// <summary>The longest message taken: evapi's events are a few hundred bytes; anything near this is not evapi.</summary>
    public const int MaxLength = 64 * 1024;

    public static byte[] Encode(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        var head = Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture) + ":");
        var frame = new byte[head.Length + body.Length + 1];
        head.CopyTo(frame, 0);
        body.CopyTo(frame, head.Length);
        frame[^1] = (byte)',';
        return frame;
    }
}

/// <summary>Reads netstrings from a stream, one message at a time; a malformed frame ends the link (the peer is not evapi).</summary>
public sealed class NetstringReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    /// <summary>The next message, or null when the stream ended cleanly between messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a netstring (or one longer than <see cref="Netstring.MaxLength"/>).</exception>
    public async ValueTask<string?> ReadAsync(CancellationToken ct)
    {
        var length = 0;
        var digits = 0;
        while (true)
        {
            if (_start == _end && !await Fill(ct))
                return digits == 0 ? null : throw new InvalidDataException("The stream ended inside a netstring's length.");
            var b = _buffer[_start++];
            if (b == (byte)':' && digits > 0) break;
            if (b is < (byte)'0' or > (byte)'9' || (digits > 0 && length == 0))
                throw new InvalidDataException("A netstring starts with its length in digits (no leading zeros) and a colon.");
            length = length * 10 + (b - '0');
            digits++;
            if (length > Netstring.MaxLength) throw new InvalidDataException($"A netstring longer than {Netstring.MaxLength} bytes.");
        }
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            if (_start == _end && !await Fill(ct)) throw new InvalidDataException("The stream ended inside a netstring.");
            var n = Math.Min(length - read, _end - _start);
            Array.Copy(_buffer, _start, body, read, n);
            _start += n;
            read += n;
        }
        if (_start == _end && !await Fill(ct)) throw new InvalidDataException("The stream ended before a netstring's comma.");
        if (_buffer[_start++] != (byte)',') throw new InvalidDataException("A netstring ends with a comma.");
        return Encoding.UTF8.GetString(body);
    }

    private async ValueTask<bool> Fill(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}
