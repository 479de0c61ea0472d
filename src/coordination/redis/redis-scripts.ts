/**
 * The Lua scripts of the Redis coordination. Each runs atomically in Redis (no other command interleaves),
 * reads the clock from Redis (`TIME`, so instances with skewed clocks agree) and keeps both keys of a script
 * under one hash tag (`{…}`), so they also work on a Redis Cluster. Money is integer nano-USD, as in the
 * stores (`usd-units.ts`); `string.format('%d', …)` keeps large integers out of Lua's `%.14g`.
 */

const clock = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Admits one request: a sliding-window log of the key's requests (a sorted set of admission times; at
 * most `rpm` in any 60 s) and a token bucket for tokens (refilled continuously, may go into debt, as the
 * in-process limiter). KEYS: requests zset, tokens hash. ARGV: rpm (-1: none), tpm (-1: none), tokens,
 * unique member. Returns {0, 0} when admitted, else {1 (requests) | 2 (tokens), milliseconds to wait}.
 */
export const admitScript = `${clock}
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local window = 60000
if rpm >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= rpm then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {1, tonumber(oldest[2]) + window - now}
  end
end
local level = 0
if tpm >= 0 then
  local state = redis.call('HMGET', KEYS[2], 'level', 'at')
  level = tonumber(state[1])
  if level == nil then level = tpm else level = math.min(tpm, level + math.max(0, now - tonumber(state[2])) * tpm / window) end
  if level <= 0 then return {2, math.ceil((1 - level) * window / tpm)} end
end
if rpm >= 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
end
if tpm >= 0 then
  redis.call('HSET', KEYS[2], 'level', tostring(level - tonumber(ARGV[3])), 'at', now)
  redis.call('PEXPIRE', KEYS[2], window * 2)
end
return {0, 0}`;

/** Books real minus estimated tokens in the token bucket. KEYS: tokens hash. ARGV: tpm, difference. */
export const correctTokensScript = `${clock}
local tpm = tonumber(ARGV[1])
local window = 60000
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(state[1])
if level == nil then level = tpm else level = math.min(tpm, level + math.max(0, now - tonumber(state[2])) * tpm / window) end
redis.call('HSET', KEYS[1], 'level', tostring(math.min(tpm, level - tonumber(ARGV[2]))), 'at', now)
redis.call('PEXPIRE', KEYS[1], window * 2)
return 1`;

/**
 * Reserves (or, with an id already held, raises) a budget reservation. KEYS: the key-period's hash
 * (`spent`, `reserved`, `r:<id>` per reservation), its zset of reservation expiries. ARGV: amount, limit
 * (-1: none, only purge and read), reservation id, expiry ms, spent to seed with ('' when not read yet),
 * key ttl ms. Expired reservations (their instance died) are released first. Returns {ok (1/0; -1: not
 * seeded, call again with the store's spent), spent, reserved}.
 */
export const reserveScript = `${clock}
local spent = redis.call('HGET', KEYS[1], 'spent')
if not spent then
  if ARGV[5] == '' then return {-1, 0, 0} end
  redis.call('HSET', KEYS[1], 'spent', ARGV[5], 'reserved', '0')
  spent = ARGV[5]
end
spent = tonumber(spent)
local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(expired) do
  reserved = reserved - tonumber(redis.call('HGET', KEYS[1], 'r:' .. id) or '0')
  redis.call('HDEL', KEYS[1], 'r:' .. id)
  redis.call('ZREM', KEYS[2], id)
end
if reserved < 0 then reserved = 0 end
local amount = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local ok = 1
if limit >= 0 then
  if spent + reserved + amount <= limit then
    reserved = reserved + amount
    redis.call('HINCRBY', KEYS[1], 'r:' .. ARGV[3], string.format('%d', amount))
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
  else
    ok = 0
  end
end
redis.call('HSET', KEYS[1], 'reserved', string.format('%d', reserved))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return {ok, spent, reserved}`;

/**
 * Settles a reservation: releases it (if it has not expired) and adds the real cost to `spent` (if the
 * key-period is seeded; otherwise the next reservation seeds it from the store, which has it).
 * KEYS: as {@link reserveScript}. ARGV: reservation id, actual nano-USD. Returns {spent (-1: not seeded), reserved}.
 */
export const settleScript = `local held = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if held then
  redis.call('HDEL', KEYS[1], 'r:' .. ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  local reserved = tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0') - tonumber(held)
  if reserved < 0 then reserved = 0 end
  redis.call('HSET', KEYS[1], 'reserved', string.format('%d', reserved))
end
local spent = -1
if redis.call('HEXISTS', KEYS[1], 'spent') == 1 then
  spent = redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2])
end
return {spent, tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')}`;
