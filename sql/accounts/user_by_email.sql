select login
from users
where lower(email) = lower(:email) and active = 1
