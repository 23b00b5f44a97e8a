-- Custom SQL migration file, put your code below! --
-- Each organiser made before the web app signs in as its first user: its own address, as owner.
-- Organiser addresses are unique in any letter case, so the lower-cased ones cannot collide.
INSERT INTO users (organiser_id, email, role, created_at)
SELECT id, lower(trim(email)), 'owner', created_at FROM organisers
ON CONFLICT DO NOTHING;
