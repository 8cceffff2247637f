using System.Text;
using ContactRouter.Telephony;

namespace ContactRouter.Tests.Telephony;

/// <summary>The framing of the evapi link: netstrings, both ways.</summary>
public sealed class When_netstrings_cross_the_evapi_link
{
    [Fact]
    public void Should_frame_a_message_with_its_length_in_bytes()
    {
        Encoding.UTF8.GetString(Netstring.Encode("{\"a\":1}")).Should().Be("7:{\"a\":1},");
        Encoding.UTF8.GetString(Netstring.Encode("")).Should().Be("0:,");
        // Bytes, not characters: 'ë' is two bytes in UTF-8.
        Encoding.UTF8.GetString(Netstring.Encode("Zoë")).Should().Be("4:Zoë,");
    }

    [Fact]
    public async Task Should_read_messages_back_to_back_and_across_reads()
    {
        var bytes = Netstring.Encode("eerste").Concat(Netstring.Encode("Zoë")).Concat(Netstring.Encode("")).ToArray();
        // One byte per read: a message split anywhere is still read whole.
        var reader = new NetstringReader(new TrickleStream(bytes));
        (await reader.ReadAsync(default)).Should().Be("eerste");
        (await reader.ReadAsync(default)).Should().Be("Zoë");
        (await reader.ReadAsync(default)).Should().Be("");
        (await reader.ReadAsync(default)).Should().BeNull("the stream ended between messages");
    }

    [Theory]
    [InlineData("5:abc,")]        // ends inside the message
    [InlineData("3:abc;")]        // no comma
    [InlineData("x:abc,")]        // no length
    [InlineData("03:abc,")]       // a leading zero
    [InlineData(":abc,")]         // an empty length
    [InlineData("99999999:abc,")] // longer than any evapi message
    [InlineData("12")]            // ends inside the length
    public async Task Should_refuse_what_is_not_a_netstring(string text)
    {
        var reader = new NetstringReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        await FluentActions.Awaiting(() => reader.ReadAsync(default).AsTask()).Should().ThrowAsync<InvalidDataException>();
    }

    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], ct);
    }
}
