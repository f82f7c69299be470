-- wrk script: requests paths from a file, one per line.
--   wrk ... -s bench/pick.lua URL -- FILE [random|walk]
-- random: each request picks a line at random (articles, suggestions);
-- walk:   each connection's thread walks the file in order from its own
--         offset (an article, then its images and stylesheets).

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local paths = {}
local mode = "random"
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  mode = args[2] or "random"
  math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
  i = ((tid or 0) * 7919) % #paths
end

function request()
  local p
  if mode == "walk" then
    i = i % #paths + 1
    p = paths[i]
  else
    p = paths[math.random(#paths)]
  end
  return wrk.format("GET", p)
end
